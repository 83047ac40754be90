/**
 * Python's `datetime.strftime` and `datetime.strptime` for the C locale (English names), on the wall-clock
 * representation of engine/datetime/calendar.ts. NodeTool's date formats are Python format strings
 * ("%Y-%m-%d", "%B %d, %Y", "%Y-%m-%dT%H:%M:%S%z", ...).
 */
import { type DateTimeParts, checkRange, daysInMonth, fieldsOf, offsetName, wallOf } from "./calendar";

export const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Day of the year, 1-366. */
function yearDay(year: number, month: number, day: number): number {
  return Math.round((wallOf(year, month, day) - wallOf(year, 1, 1)) / 86_400_000) + 1;
}

/** Python's `%z`: "+HHMM" (with seconds when the offset has any); empty for a naive datetime. */
function formatOffset(offset: number, naive: boolean): string {
  if (naive) return "";
  const abs = Math.abs(offset);
  const s = abs % 60;
  return `${offset < 0 ? "-" : "+"}${pad(Math.floor(abs / 3600))}${pad(Math.floor((abs % 3600) / 60))}${s ? pad(s) : ""}`;
}

/**
 * Formats like Python's strftime. `naive` leaves `%z` and `%Z` empty, as Python does for datetimes without
 * tzinfo. Directives Python leaves to the C library that are not listed here are copied unchanged.
 */
export function strftime(p: DateTimeParts, format: string, naive = false): string {
  const f = fieldsOf(p.wallMs);
  const micros = f.millisecond * 1000 + p.micro;
  const yday = yearDay(f.year, f.month, f.day);
  const sundayWeekday = (f.weekday + 1) % 7;
  const hour12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
  const directive = (c: string): string | undefined => {
    switch (c) {
      case "a": return WEEKDAYS[f.weekday].slice(0, 3);
      case "A": return WEEKDAYS[f.weekday];
      case "w": return String(sundayWeekday);
      case "u": return String(f.weekday + 1);
      case "d": return pad(f.day);
      case "b": case "h": return MONTHS[f.month - 1].slice(0, 3);
      case "B": return MONTHS[f.month - 1];
      case "m": return pad(f.month);
      case "y": return pad(f.year % 100);
      case "Y": return String(f.year);
      case "H": return pad(f.hour);
      case "I": return pad(hour12);
      case "p": return f.hour < 12 ? "AM" : "PM";
      case "M": return pad(f.minute);
      case "S": return pad(f.second);
      case "f": return pad(micros, 6);
      case "z": return formatOffset(p.offset, naive);
      case "Z": return naive ? "" : p.tzinfo || offsetName(p.offset);
      case "j": return pad(yday, 3);
      case "U": return pad(Math.floor((yday + 6 - sundayWeekday) / 7));
      case "W": return pad(Math.floor((yday + 6 - f.weekday) / 7));
      case "c": return `${WEEKDAYS[f.weekday].slice(0, 3)} ${MONTHS[f.month - 1].slice(0, 3)} ${String(f.day).padStart(2, " ")} ${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)} ${f.year}`;
      case "x": return `${pad(f.month)}/${pad(f.day)}/${pad(f.year % 100)}`;
      case "X": return `${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`;
      case "D": return `${pad(f.month)}/${pad(f.day)}/${pad(f.year % 100)}`;
      case "F": return `${f.year}-${pad(f.month)}-${pad(f.day)}`;
      case "T": return `${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`;
      case "R": return `${pad(f.hour)}:${pad(f.minute)}`;
      case "e": return String(f.day).padStart(2, " ");
      case "n": return "\n";
      case "t": return "\t";
      case "%": return "%";
      default: return undefined;
    }
  };
  let out = "";
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== "%" || i + 1 >= format.length) {
      out += c;
      continue;
    }
    const value = directive(format[i + 1]);
    out += value ?? `%${format[i + 1]}`;
    i++;
  }
  return out;
}

export interface Parsed {
  parts: DateTimeParts;
  /** True when the format had no %z: Python gives a naive datetime. */
  naive: boolean;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const alternatives = (names: string[]) => names.map(escapeRe).join("|");

/** Regex source of each strptime directive, after Python's `_strptime.TimeRE`. */
const DIRECTIVE_RE: Record<string, string> = {
  a: `(?<a>${alternatives(WEEKDAYS.map((w) => w.slice(0, 3)))})`,
  A: `(?<A>${alternatives(WEEKDAYS)})`,
  w: "(?<w>[0-6])",
  u: "(?<u>[1-7])",
  d: "(?<d>3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])",
  b: `(?<b>${alternatives(MONTHS.map((m) => m.slice(0, 3)))})`,
  B: `(?<B>${alternatives(MONTHS)})`,
  m: "(?<m>1[0-2]|0[1-9]|[1-9])",
  y: "(?<y>\\d\\d)",
  Y: "(?<Y>\\d\\d\\d\\d)",
  H: "(?<H>2[0-3]|[0-1]\\d|\\d)",
  I: "(?<I>1[0-2]|0[1-9]|[1-9])",
  p: "(?<p>am|pm)",
  M: "(?<M>[0-5]\\d|\\d)",
  S: "(?<S>6[0-1]|[0-5]\\d|\\d)",
  f: "(?<f>\\d{1,6})",
  z: "(?<z>[+-]\\d\\d:?[0-5]\\d(?::?[0-5]\\d(?:\\.\\d{1,6})?)?|Z)",
  Z: "(?<Z>utc|gmt)",
  j: "(?<j>36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])",
  "%": "%",
};

/** Parses like Python's `datetime.strptime(value, format)`: the whole string must match the format. */
export function strptime(value: string, format: string): Parsed {
  let source = "";
  const seen = new Set<string>();
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c === "%" && i + 1 < format.length) {
      const d = format[++i];
      const re = DIRECTIVE_RE[d];
      if (re === undefined) throw new Error(`'${d}' is a bad directive in format '%${d}'`);
      if (d !== "%" && seen.has(d)) source += `\\k<${d}>`;
      else source += re;
      seen.add(d);
    } else if (/\s/.test(c)) {
      source += "\\s+";
      while (i + 1 < format.length && /\s/.test(format[i + 1])) i++;
    } else {
      source += escapeRe(c);
    }
  }
  // Python's TimeRE matches case-insensitively ("march", "PM").
  const m = new RegExp(`^(?:${source})`, "i").exec(value);
  if (!m) throw new Error(`time data '${value}' does not match format '${format}'`);
  if (m[0].length !== value.length) throw new Error(`unconverted data remains: ${value.slice(m[0].length)}`);
  const g = m.groups ?? {};
  const num = (k: string, fallback: number) => (g[k] !== undefined ? Number(g[k].trim()) : fallback);
  let year = g.Y !== undefined ? Number(g.Y) : g.y !== undefined ? (Number(g.y) < 69 ? 2000 : 1900) + Number(g.y) : 1900;
  let month = num("m", 1);
  if (g.B) month = MONTHS.findIndex((n) => n.toLowerCase() === g.B.toLowerCase()) + 1;
  if (g.b) month = MONTHS.findIndex((n) => n.slice(0, 3).toLowerCase() === g.b.toLowerCase()) + 1;
  let day = num("d", 1);
  let hour = num("H", 0);
  if (g.I !== undefined) {
    hour = Number(g.I) % 12;
    if (g.p && g.p.toLowerCase() === "pm") hour += 12;
  }
  if (g.j !== undefined && g.m === undefined && g.d === undefined && g.b === undefined && g.B === undefined) {
    const dayOfYear = Number(g.j);
    const d = new Date(wallOf(year, 1, 1) + (dayOfYear - 1) * 86_400_000);
    if (d.getUTCFullYear() !== year) throw new Error(`day of year ${dayOfYear} is out of range for ${year}`);
    month = d.getUTCMonth() + 1;
    day = d.getUTCDate();
  }
  if (day > daysInMonth(year, month)) throw new Error("day is out of range for month");
  // The pattern accepts leap seconds (60, 61) as Python's does, but a datetime cannot hold them.
  const second = num("S", 0);
  if (second > 59) throw new Error("second must be in 0..59");
  const micros = g.f !== undefined ? Number(g.f.padEnd(6, "0")) : 0;
  let offset = 0;
  let naive = true;
  if (g.z !== undefined) {
    naive = false;
    if (g.z.toUpperCase() !== "Z") {
      const z = /^([+-])(\d\d):?(\d\d)(?::?(\d\d))?/.exec(g.z)!;
      offset = (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 3600 + Number(z[3]) * 60 + Number(z[4] ?? 0));
    }
  }
  year = Math.max(1, year);
  const wallMs = checkRange(wallOf(year, month, day, hour, num("M", 0), second, Math.floor(micros / 1000)), "strptime");
  return { parts: { wallMs, micro: micros % 1000, offset, tzinfo: naive ? "UTC" : offsetName(offset) }, naive };
}
