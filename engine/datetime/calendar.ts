/**
 * NodeTool's `date` and `datetime` values and the calendar arithmetic on them. A datetime travels as
 * `{type: "datetime", year, month, day, hour, minute, second, microsecond, tzinfo, utc_offset}` with the offset
 * in seconds (as nodetool.constant.DateTime emits it); a date as `{type: "date", year, month, day}`.
 *
 * Internally a datetime is its wall-clock time as milliseconds since 1970-01-01 (proleptic Gregorian, as if
 * UTC), the sub-millisecond microseconds, and the fixed UTC offset. Adding a duration moves the wall clock
 * (Python's aware-datetime arithmetic with a fixed offset); comparing and subtracting use the instant
 * (wall time minus offset).
 */
import { describe, isRecord, toInt, toText } from "../values/coerce";

export interface DateTimeParts {
  /** Wall-clock time in milliseconds, as if the wall clock were UTC. */
  wallMs: number;
  /** Microseconds below the millisecond (0-999). */
  micro: number;
  /** Seconds east of UTC. */
  offset: number;
  tzinfo: string;
}

export interface DateValue {
  type: "date";
  year: number;
  month: number;
  day: number;
}

export interface DateTimeValue {
  type: "datetime";
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
  tzinfo: string;
  utc_offset: number;
}

export const MS_PER_DAY = 86_400_000;
/** Python's datetime range: years 1 to 9999. */
const MIN_WALL_MS = wallOf(1, 1, 1);
const MAX_WALL_MS = wallOf(9999, 12, 31) + MS_PER_DAY - 1;

/** Date.UTC that does not map years 0-99 to 1900-1999. */
export function wallOf(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  d.setUTCFullYear(year + d.getUTCFullYear() - 2000);
  return d.getTime();
}

export function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Wall-clock fields of a wall time. */
export function fieldsOf(wallMs: number) {
  const d = new Date(wallMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    /** Python's weekday(): Monday is 0. */
    weekday: (d.getUTCDay() + 6) % 7,
  };
}

export function checkRange(wallMs: number, what: string): number {
  if (!Number.isFinite(wallMs) || wallMs < MIN_WALL_MS || wallMs > MAX_WALL_MS) throw new Error(`${what}: date value out of range (years 1 to 9999)`);
  return wallMs;
}

function field(v: Record<string, unknown>, name: string, min: number, max: number, what: string): number {
  const n = toInt(v[name] ?? 0, `${what}.${name}`);
  if (n < min || n > max) throw new Error(`${what}: ${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function checkDay(year: number, month: number, day: number, what: string): void {
  const max = daysInMonth(year, month);
  if (day < 1 || day > max) throw new Error(`${what}: day must be between 1 and ${max} for ${year}-${String(month).padStart(2, "0")}, got ${day}`);
}

/** A UTC offset given in seconds (NodeTool's Python values) or as "+HH:MM" / "+HHMM" (its TypeScript values). */
function offsetSeconds(value: unknown, what: string): number {
  if (value === null || value === undefined || value === "") return 0;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || Math.abs(value) >= 86_400) throw new Error(`${what}: utc_offset must be under a day in seconds, got ${value}`);
    return Math.trunc(value);
  }
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(toText(value).trim());
  if (!m) throw new Error(`${what}: utc_offset must be seconds or "+HH:MM", got ${describe(value)}`);
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
}

/**
 * Reads a NodeTool datetime (or date, taken at midnight). An unset value (NodeTool's default has year 0) is an
 * error, as Python's `Datetime.to_datetime()` fails on it.
 */
export function readDateTime(value: unknown, what: string): DateTimeParts {
  if (typeof value === "string" && value.trim() !== "") return parseIso(value.trim(), what);
  if (!isRecord(value)) throw new Error(`${what} must be a datetime object {year, month, day, ...}, got ${describe(value)}`);
  if (!value.year) throw new Error(`${what} is not set (year 0): connect or enter a datetime`);
  const year = field(value, "year", 1, 9999, what);
  const month = field(value, "month", 1, 12, what);
  const day = field(value, "day", 1, 31, what);
  checkDay(year, month, day, what);
  // NodeTool's TypeScript values carry `millisecond`, its Python values `microsecond`.
  const micros =
    value.microsecond !== undefined && value.microsecond !== null
      ? field(value, "microsecond", 0, 999_999, what)
      : field(value, "millisecond", 0, 999, what) * 1000;
  const wallMs = wallOf(year, month, day, field(value, "hour", 0, 23, what), field(value, "minute", 0, 59, what), field(value, "second", 0, 59, what), Math.floor(micros / 1000));
  const offset = offsetSeconds(value.utc_offset, what);
  const tzinfo = typeof value.tzinfo === "string" && value.tzinfo !== "" ? value.tzinfo : offsetName(offset);
  return { wallMs, micro: micros % 1000, offset, tzinfo };
}

/** Reads a NodeTool date (a datetime is cut to its date). */
export function readDate(value: unknown, what: string): { year: number; month: number; day: number } {
  const f = fieldsOf(readDateTime(value, what).wallMs);
  return { year: f.year, month: f.month, day: f.day };
}

function parseIso(s: string, what: string): DateTimeParts {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (!m) throw new Error(`${what}: '${s}' is not an ISO 8601 date or datetime`);
  const micros = m[7] ? Number(m[7].padEnd(6, "0")) : 0;
  const value = { year: +m[1], month: +m[2], day: +m[3], hour: +(m[4] ?? 0), minute: +(m[5] ?? 0), second: +(m[6] ?? 0), microsecond: micros };
  const offset = !m[8] || m[8].toUpperCase() === "Z" ? 0 : offsetSeconds(m[8], what);
  return readDateTime({ ...value, utc_offset: offset, tzinfo: m[8] ? offsetName(offset) : "UTC" }, what);
}

/** Python's name for a fixed offset: "UTC", "UTC+02:00", "UTC-05:30". */
export function offsetName(offset: number): string {
  if (offset === 0) return "UTC";
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 3600)).padStart(2, "0");
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, "0");
  const ss = abs % 60 ? `:${String(abs % 60).padStart(2, "0")}` : "";
  return `UTC${offset < 0 ? "-" : "+"}${hh}:${mm}${ss}`;
}

/** The instant of a datetime in milliseconds since the epoch (for comparing and subtracting). */
export const instantMs = (p: DateTimeParts): number => p.wallMs - p.offset * 1000;

/** Difference `b - a` in microseconds. */
export const diffMicros = (a: DateTimeParts, b: DateTimeParts): number => (instantMs(b) - instantMs(a)) * 1000 + (b.micro - a.micro);

export function toDateTimeValue(p: DateTimeParts): DateTimeValue {
  const f = fieldsOf(p.wallMs);
  return {
    type: "datetime",
    year: f.year,
    month: f.month,
    day: f.day,
    hour: f.hour,
    minute: f.minute,
    second: f.second,
    microsecond: f.millisecond * 1000 + p.micro,
    tzinfo: p.tzinfo,
    utc_offset: p.offset,
  };
}

export function toDateValue(year: number, month: number, day: number): DateValue {
  return { type: "date", year, month, day };
}

/** The current time in UTC as datetime parts. */
export function nowParts(nowMs: number): DateTimeParts {
  return { wallMs: nowMs, micro: 0, offset: 0, tzinfo: "UTC" };
}
