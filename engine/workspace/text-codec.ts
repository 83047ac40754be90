/**
 * The text encodings the workspace's text nodes accept (their `encoding` property): the common ones, each
 * strict where Python is (NodeTool's first generation; ascii and latin-1 refuse what they cannot represent).
 * UTF-8 decoding replaces invalid sequences, as NodeTool's TypeScript node (Node's Buffer) does.
 */
type Codec = { decode(bytes: Uint8Array): string; encode(text: string): Uint8Array };

function singleByte(name: string, max: number): Codec {
  return {
    decode(bytes) {
      let out = "";
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] > max) throw new Error(`'${name}' codec can't decode byte 0x${bytes[i].toString(16)} in position ${i}`);
        out += String.fromCharCode(bytes[i]);
      }
      return out;
    },
    encode(text) {
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code > max) throw new Error(`'${name}' codec can't encode character '${text[i]}' in position ${i}`);
        out[i] = code;
      }
      return out;
    },
  };
}

const utf8: Codec = { decode: (b) => new TextDecoder("utf-8").decode(b), encode: (t) => new TextEncoder().encode(t) };
const utf16le: Codec = {
  decode: (b) => new TextDecoder("utf-16le").decode(b),
  encode(text) {
    const out = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      out[2 * i] = code & 0xff;
      out[2 * i + 1] = code >> 8;
    }
    return out;
  },
};

const CODECS: Record<string, Codec> = {
  "utf-8": utf8,
  utf8: utf8,
  "utf-16le": utf16le,
  "utf-16-le": utf16le,
  utf16le: utf16le,
  ascii: singleByte("ascii", 0x7f),
  "us-ascii": singleByte("ascii", 0x7f),
  latin1: singleByte("latin-1", 0xff),
  "latin-1": singleByte("latin-1", 0xff),
  "iso-8859-1": singleByte("latin-1", 0xff),
};

export function textCodec(encoding: string): Codec {
  const codec = CODECS[encoding.trim().toLowerCase().replace(/_/g, "-")];
  if (!codec) throw new Error(`unsupported encoding '${encoding}' (use utf-8, utf-16le, ascii or latin-1)`);
  return codec;
}
