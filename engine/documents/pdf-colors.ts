/**
 * Fill colours of text spans. pdf.js reports colours only in a page's operator list, and its text spans only
 * in the text content, so the two are lined up by their characters: both come from the same glyphs in content
 * stream order, and each span takes the fill colour in force at its first glyph.
 */

interface OperatorList {
  fnArray: number[];
  argsArray: unknown[];
}

/** How far ahead a span's first character is looked for when the two streams disagree (e.g. inserted text). */
const RESYNC_WINDOW = 64;

/** sRGB integer of a pdf.js colour argument: "#rrggbb" (current pdf.js) or [r, g, b] bytes (older). */
function rgbOf(args: unknown): number | null {
  const list = Array.isArray(args) ? args : [];
  const first = list[0];
  if (typeof first === "string" && /^#[0-9a-f]{6}$/i.test(first)) return parseInt(first.slice(1), 16);
  const arr = (list.length === 1 && typeof first === "object" && first !== null ? first : args) as ArrayLike<number> | undefined;
  if (arr && typeof arr[0] === "number" && typeof arr[1] === "number" && typeof arr[2] === "number") {
    return ((arr[0] & 0xff) << 16) | ((arr[1] & 0xff) << 8) | (arr[2] & 0xff);
  }
  return null;
}

function glyphText(arg: unknown): string {
  if (!Array.isArray(arg)) return "";
  let s = "";
  for (const g of arg) {
    if (g && typeof g === "object" && typeof (g as { unicode?: unknown }).unicode === "string") s += (g as { unicode: string }).unicode;
  }
  return s;
}

const isBlank = (ch: string) => /\s/.test(ch);

/** One colour per text span (null for spans with no visible character). */
export function spanColors(ops: OperatorList, OPS: Record<string, number>, spans: readonly string[]): (number | null)[] {
  const showOps = new Set([OPS.showText, OPS.showSpacedText, OPS.nextLineShowText, OPS.nextLineSetSpacingShowText]);
  const chars: string[] = [];
  const colorAt: number[] = [];
  let color = 0;
  const stack: number[] = [];
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i] as unknown[] | null;
    if (fn === OPS.save) stack.push(color);
    else if (fn === OPS.restore) color = stack.pop() ?? color;
    else if (fn === OPS.setFillRGBColor) color = rgbOf(args) ?? color;
    else if (showOps.has(fn) && Array.isArray(args)) {
      // The glyph array is the last argument (spacing ops put numbers before it).
      for (const ch of glyphText(args[args.length - 1])) {
        if (isBlank(ch)) continue;
        chars.push(ch);
        colorAt.push(color);
      }
    }
  }
  let pos = 0;
  return spans.map((text) => {
    const visible = [...text].filter((ch) => !isBlank(ch));
    if (visible.length === 0) return null;
    let found = -1;
    for (let k = pos; k < Math.min(chars.length, pos + RESYNC_WINDOW); k++) {
      if (chars[k] === visible[0]) {
        found = k;
        break;
      }
    }
    const at = found >= 0 ? found : Math.min(pos, colorAt.length - 1);
    if (at < 0) return null;
    pos = (found >= 0 ? found : pos) + visible.length;
    return colorAt[at];
  });
}
