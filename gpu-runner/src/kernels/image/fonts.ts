import { readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { KernelInputError } from "../types";

/**
 * System fonts by file name, as NodeTool finds them (`get_system_font_path`: "DejaVuSans-Bold" is the file
 * DejaVuSans-Bold.ttf in a system font folder), with what text layout needs from the file itself: the family
 * and style names (to ask librsvg/fontconfig for exactly this face) and Pillow's ascender, the distance from
 * the top of a line (where Pillow's default anchor puts y) to its baseline.
 */
export interface FontFace {
  file: string;
  family: string;
  weight: "normal" | "bold";
  style: "normal" | "italic" | "oblique";
  unitsPerEm: number;
  ascender: number;
}

const FONT_DIRS = ["/usr/share/fonts", "/usr/local/share/fonts", path.join(homedir(), ".fonts"), path.join(homedir(), ".local/share/fonts"), "/Library/Fonts", "/System/Library/Fonts", "C:\\Windows\\Fonts"];
const EXTENSIONS = [".ttf", ".otf"];
const MAX_DEPTH = 6;

let index: Map<string, string> | undefined;

function scan(dir: string, depth: number, into: Map<string, string>): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory() && depth < MAX_DEPTH) scan(full, depth + 1, into);
    else if (EXTENSIONS.includes(path.extname(e.name).toLowerCase())) {
      const key = path.basename(e.name, path.extname(e.name)).toLowerCase();
      if (!into.has(key)) into.set(key, full);
    }
  }
}

const faces = new Map<string, FontFace>();

/** The face for a NodeTool font name (file name without extension, any case); an unknown name is an input error. */
export function findFont(name: string): FontFace {
  const key = name.trim().replace(/\.(ttf|otf)$/i, "").toLowerCase();
  const cached = faces.get(key);
  if (cached) return cached;
  if (!index) {
    index = new Map();
    for (const dir of FONT_DIRS) scan(dir, 0, index);
  }
  const file = index.get(key);
  if (!file) throw new KernelInputError(`font '${name}' was not found on the runner (installed: ${[...index.keys()].slice(0, 12).join(", ") || "none"})`);
  const face = readFace(file, name);
  faces.set(key, face);
  return face;
}

/** Reads head.unitsPerEm, hhea.ascender and the name table's family (16 or 1) and subfamily (17 or 2). */
function readFace(file: string, name: string): FontFace {
  const b = readFileSync(file);
  const tables = new Map<string, number>();
  try {
    const count = b.readUInt16BE(4);
    for (let i = 0; i < count; i++) tables.set(b.toString("latin1", 12 + 16 * i, 16 + 16 * i), b.readUInt32BE(12 + 16 * i + 8));
    const head = tables.get("head")!;
    const hhea = tables.get("hhea")!;
    const names = readNames(b, tables.get("name")!);
    const family = names.get(16) ?? names.get(1) ?? name;
    const sub = (names.get(17) ?? names.get(2) ?? "").toLowerCase();
    return {
      file,
      family,
      weight: /bold|black|heavy/.test(sub) ? "bold" : "normal",
      style: sub.includes("italic") ? "italic" : sub.includes("oblique") ? "oblique" : "normal",
      unitsPerEm: b.readUInt16BE(head + 18),
      ascender: b.readInt16BE(hhea + 4),
    };
  } catch (err) {
    throw new KernelInputError(`font '${name}' (${file}) could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function readNames(b: Buffer, at: number): Map<number, string> {
  const out = new Map<number, string>();
  const count = b.readUInt16BE(at + 2);
  const strings = at + b.readUInt16BE(at + 4);
  for (let i = 0; i < count; i++) {
    const rec = at + 6 + 12 * i;
    const platform = b.readUInt16BE(rec);
    const id = b.readUInt16BE(rec + 6);
    const length = b.readUInt16BE(rec + 8);
    const offset = strings + b.readUInt16BE(rec + 10);
    if (out.has(id) && platform !== 3) continue;
    if (platform === 3 || platform === 0) {
      const bytes = Buffer.from(b.subarray(offset, offset + length));
      out.set(id, bytes.swap16().toString("utf16le"));
    } else if (platform === 1 && !out.has(id)) out.set(id, b.toString("latin1", offset, offset + length));
  }
  return out;
}

/** FreeType's ascender in whole pixels at `size` px (26.6 fixed point, rounded up), as Pillow uses it. */
export const ascenderPx = (face: FontFace, size: number) => Math.ceil((face.ascender * size) / face.unitsPerEm);
