/**
 * Where, in the first bytes of a msgpack body, the payload of the first large `bin` starts: in an
 * InferRequest that is the first tensor's data. The body reader uses it to place the body in memory so that
 * this payload lands 8-byte aligned, and onnxruntime can take a typed-array view of it instead of a copy
 * (msgpack puts a bin's payload wherever the bytes before it end).
 *
 * A linear walk over the item headers: maps and arrays are just headers followed by their items, so no
 * nesting has to be tracked. Returns undefined when the prefix ends first or holds something malformed.
 */
export function firstLargeBinOffset(bytes: Uint8Array, minLength = 64): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  // Reads an unsigned big-endian length of `width` bytes at `at`, or undefined past the end.
  const len = (at: number, width: 1 | 2 | 4): number | undefined => {
    if (at + width > bytes.byteLength) return undefined;
    return width === 1 ? view.getUint8(at) : width === 2 ? view.getUint16(at) : view.getUint32(at);
  };
  while (pos < bytes.byteLength) {
    const b = bytes[pos];
    // Positive/negative fixint, fixmap, fixarray, nil, false, true: the header is the whole item.
    if (b <= 0x9f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) {
      pos += 1;
      continue;
    }
    if (b >= 0xa0 && b <= 0xbf) {
      pos += 1 + (b & 0x1f);
      continue;
    }
    let header: number;
    let length: number | undefined;
    switch (b) {
      case 0xc4: // bin 8, 16, 32
      case 0xc5:
      case 0xc6: {
        const width = b === 0xc4 ? 1 : b === 0xc5 ? 2 : 4;
        length = len(pos + 1, width);
        if (length === undefined) return undefined;
        if (length >= minLength) return pos + 1 + width;
        header = 1 + width;
        break;
      }
      case 0xd9: // str 8, 16, 32
      case 0xda:
      case 0xdb: {
        const width = b === 0xd9 ? 1 : b === 0xda ? 2 : 4;
        length = len(pos + 1, width);
        header = 1 + width;
        break;
      }
      case 0xc7: // ext 8, 16, 32: length, then a type byte
      case 0xc8:
      case 0xc9: {
        const width = b === 0xc7 ? 1 : b === 0xc8 ? 2 : 4;
        length = len(pos + 1, width);
        header = 2 + width;
        break;
      }
      default: {
        const fixed = FIXED_SIZES[b];
        if (fixed === undefined) return undefined; // 0xc1 is never used
        length = 0;
        header = fixed;
      }
    }
    if (length === undefined) return undefined;
    pos += header + length;
  }
  return undefined;
}

/** Whole sizes of the fixed-width items: floats, (u)ints, fixext, and the map/array 16/32 headers. */
const FIXED_SIZES: Record<number, number> = {
  202: 5,
  203: 9,
  204: 2,
  205: 3,
  206: 5,
  207: 9,
  208: 2,
  209: 3,
  210: 5,
  211: 9,
  212: 3,
  213: 4,
  214: 6,
  215: 10,
  216: 18,
  220: 3,
  221: 5,
  222: 3,
  223: 5,
};
