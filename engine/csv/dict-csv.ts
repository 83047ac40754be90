/**
 * Lists of dictionaries as CSV text, read and written as Python's csv.DictReader / csv.DictWriter do with the
 * default "excel" dialect (every value read is a string). Tokenising is papaparse's.
 */
import Papa from "papaparse";
import { pyStr } from "../text/strings";

/** CSV text longer than this is refused before parsing. */
export const MAX_CSV_CHARS = 64 * 1024 * 1024;

/** Python's csv "excel" dialect: quote a field only when it holds the delimiter, a quote or a line break. */
function csvField(value: unknown): string {
  const s = value === null || value === undefined ? "" : pyStr(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** csv.DictReader: the first row names the fields; short rows get null, extra fields go under the key "null". */
export function readCsvDicts(text: string): Record<string, unknown>[] {
  if (text.length > MAX_CSV_CHARS) throw new Error(`the CSV text has ${text.length} characters (limit ${MAX_CSV_CHARS})`);
  const result = Papa.parse<string[]>(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, { header: false, skipEmptyLines: true, dynamicTyping: false });
  const quoteError = result.errors.find((e) => e.type === "Quotes");
  if (quoteError) throw new Error(`malformed CSV in row ${(quoteError.row ?? 0) + 1}: ${quoteError.message}`);
  const [header, ...rows] = result.data;
  if (!header) return [];
  return rows.map((row) => {
    const d: Record<string, unknown> = {};
    header.forEach((name, i) => (d[name] = i < row.length ? row[i] : null));
    if (row.length > header.length) d.null = row.slice(header.length);
    return d;
  });
}

/** csv.DictWriter with the first row's keys as the header; a key missing from it is an error, as in Python. */
export function writeCsvDicts(rows: Record<string, unknown>[]): string {
  const fields = Object.keys(rows[0]);
  const lines = [fields.map(csvField).join(",")];
  for (const row of rows) {
    const extra = Object.keys(row).filter((k) => !fields.includes(k));
    if (extra.length > 0) throw new Error(`dict contains fields not in fieldnames: ${extra.map((k) => `'${k}'`).join(", ")}`);
    lines.push(fields.map((f) => csvField(row[f])).join(","));
  }
  return lines.map((l) => `${l}\r\n`).join("");
}
