/**
 * `lib.date.*`: dates and datetimes as NodeTool's `date` / `datetime` objects (engine/datetime/calendar.ts),
 * formatted and parsed with Python's strftime codes (engine/datetime/strftime.ts). Semantics follow
 * NodeTool's Python nodes (nodetool-base src/nodetool/nodes/lib/date.py). "Now" is the host's clock in UTC.
 */
import {
  type DateTimeParts,
  daysInMonth,
  diffMicros,
  fieldsOf,
  MS_PER_DAY,
  checkRange,
  nowParts,
  readDate,
  readDateTime,
  toDateTimeValue,
  toDateValue,
  wallOf,
} from "../datetime/calendar";
import { strftime, strptime, WEEKDAYS } from "../datetime/strftime";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { enumValue, toBool, toInt, toText } from "../values/coerce";

/** NodeTool's `DateFormat` enum (member names as older files spell them, e.g. "DateFormat.ISO"). */
const DATE_FORMAT = {
  ISO: "%Y-%m-%d",
  US: "%m/%d/%Y",
  EUROPEAN: "%d/%m/%Y",
  HUMAN_READABLE: "%B %d, %Y",
  COMPACT: "%Y%m%d",
  FILENAME: "%Y%m%d_%H%M%S",
  ISO_WITH_TIME: "%Y-%m-%dT%H:%M:%S",
  ISO_WITH_TIMEZONE: "%Y-%m-%dT%H:%M:%S%z",
} as const;
const FORMAT_VALUES = [...Object.values(DATE_FORMAT), DATE_FORMAT.ISO_WITH_TIMEZONE];
const TIME_UNIT = { HOURS: "hours", DAYS: "days", MONTHS: "months" } as const;
const TIME_DIRECTION = { PAST: "past", FUTURE: "future" } as const;
const PERIOD = { DAY: "day", WEEK: "week", MONTH: "month", YEAR: "year" } as const;
const BOUNDARY = { START: "start", END: "end" } as const;

/** DateRange stops with an error beyond this many dates instead of exhausting memory. */
export const MAX_DATE_RANGE = 100_000;

const EMPTY_DATETIME = { type: "datetime", year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, microsecond: 0, tzinfo: "UTC", utc_offset: 0 };
const EMPTY_DATE = { type: "date", year: 0, month: 0, day: 0 };

const dtProp = (name: string, description: string) => prop(name, "datetime", EMPTY_DATETIME, { description });
const formatProp = (name: string, fallback: string, description: string) => prop(name, "enum", fallback, { values: FORMAT_VALUES, description });
const dtOut = [out("output", "datetime")];

const formatOf = (value: unknown, fallback: string) => enumValue(value ?? fallback, DATE_FORMAT) || fallback;

function bounded(value: unknown, name: string, min: number, max: number): number {
  const n = toInt(value ?? 0, name);
  if (n < min || n > max) throw new Error(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** The same datetime with another wall time (Python's `dt.replace(...)` / `dt + timedelta`). */
const withWall = (p: DateTimeParts, wallMs: number, micro = p.micro): DateTimeParts => ({ ...p, wallMs: checkRange(wallMs, "datetime"), micro });

/** A naive Python datetime built from fields, as NodeTool serialises it (tzinfo "UTC", offset 0). */
const naiveAt = (wallMs: number): DateTimeParts => ({ wallMs: checkRange(wallMs, "datetime"), micro: 0, offset: 0, tzinfo: "UTC" });

function boundary(p: DateTimeParts, period: string, edge: string, startMonday: boolean): DateTimeParts {
  const f = fieldsOf(p.wallMs);
  const end = edge === BOUNDARY.END;
  const dayStart = (y: number, m: number, d: number) => wallOf(y, m, d);
  const at = (wall: number) => (end ? withWall(p, wall + MS_PER_DAY - 1, 999) : withWall(p, wall, 0));
  switch (period) {
    case PERIOD.DAY:
      return at(dayStart(f.year, f.month, f.day));
    case PERIOD.WEEK: {
      const weekday = startMonday ? f.weekday : (f.weekday + 1) % 7;
      const start = dayStart(f.year, f.month, f.day) - weekday * MS_PER_DAY;
      return at(end ? start + 6 * MS_PER_DAY : start);
    }
    case PERIOD.MONTH:
      return at(dayStart(f.year, f.month, end ? daysInMonth(f.year, f.month) : 1));
    case PERIOD.YEAR:
      return at(end ? dayStart(f.year, 12, 31) : dayStart(f.year, 1, 1));
    default:
      throw new Error(`BoundaryTime: unknown period '${period}' (expected day, week, month or year)`);
  }
}

export const dateNodes: NodeDecl[] = [
  defineNode({
    type: "lib.date.Today",
    description: "Get the current date in Date format.\n    date, today, now, current",
    outputs: [out("output", "date")],
    process: (_inputs, ctx) => {
      const f = fieldsOf(ctx.services.now());
      return { output: toDateValue(f.year, f.month, f.day) };
    },
  }),
  defineNode({
    type: "lib.date.Now",
    description: "Get the current date and time in UTC timezone.\n    datetime, current, now, timestamp",
    outputs: dtOut,
    process: (_inputs, ctx) => ({ output: toDateTimeValue(nowParts(ctx.services.now())) }),
  }),
  defineNode({
    type: "lib.date.ParseDate",
    description: "Parse a date string into a structured Date object.\n    date, parse, format, convert",
    properties: [prop("date_string", "str", "", { description: "The date string to parse" }), formatProp("input_format", DATE_FORMAT.ISO, "Format of the input date string")],
    outputs: [out("output", "date")],
    process: (inputs) => {
      const f = fieldsOf(strptime(toText(inputs.date_string), formatOf(inputs.input_format, DATE_FORMAT.ISO)).parts.wallMs);
      return { output: toDateValue(f.year, f.month, f.day) };
    },
  }),
  defineNode({
    type: "lib.date.ParseDateTime",
    title: "Parse Date Time",
    description: "Parse a date/time string into a structured Datetime object.\n    datetime, parse, format, convert",
    properties: [prop("datetime_string", "str", "", { description: "The datetime string to parse" }), formatProp("input_format", DATE_FORMAT.ISO, "Format of the input datetime string")],
    outputs: dtOut,
    process: (inputs) => ({ output: toDateTimeValue(strptime(toText(inputs.datetime_string), formatOf(inputs.input_format, DATE_FORMAT.ISO)).parts) }),
  }),
  defineNode({
    type: "lib.date.AddTimeDelta",
    description: "Add or subtract time from a datetime using specified intervals.\n    datetime, add, subtract, delta, offset",
    properties: [
      dtProp("input_datetime", "Starting datetime"),
      prop("days", "int", 0, { min: -3650, max: 3650, description: "Number of days to add (negative to subtract)" }),
      prop("hours", "int", 0, { min: -24, max: 24, description: "Number of hours to add (negative to subtract)" }),
      prop("minutes", "int", 0, { min: -60, max: 60, description: "Number of minutes to add (negative to subtract)" }),
    ],
    outputs: dtOut,
    process: (inputs) => {
      const p = readDateTime(inputs.input_datetime, "input_datetime");
      const delta = ((bounded(inputs.days, "days", -3650, 3650) * 24 + bounded(inputs.hours, "hours", -24, 24)) * 60 + bounded(inputs.minutes, "minutes", -60, 60)) * 60_000;
      return { output: toDateTimeValue(withWall(p, p.wallMs + delta)) };
    },
  }),
  // Python's timedelta: `days` is floored (negative for a negative difference), hours/minutes/seconds come from
  // the non-negative remainder, total_seconds is truncated toward zero.
  defineNode({
    type: "lib.date.DateDifference",
    description: "Calculate the time difference between two datetimes.\n    datetime, difference, duration, elapsed",
    properties: [dtProp("start_date", "Start datetime"), dtProp("end_date", "End datetime")],
    outputs: [out("total_seconds", "int"), out("days", "int"), out("hours", "int"), out("minutes", "int"), out("seconds", "int")],
    process: (inputs) => {
      const micros = diffMicros(readDateTime(inputs.start_date, "start_date"), readDateTime(inputs.end_date, "end_date"));
      const wholeSeconds = Math.floor(micros / 1e6);
      const days = Math.floor(wholeSeconds / 86_400);
      const rest = wholeSeconds - days * 86_400;
      return { total_seconds: Math.trunc(micros / 1e6), days, hours: Math.floor(rest / 3600), minutes: Math.floor((rest % 3600) / 60), seconds: rest % 60 };
    },
  }),
  defineNode({
    type: "lib.date.FormatDateTime",
    title: "Format Date Time",
    description: "Convert a datetime object to a custom formatted string (Python strftime codes).\n    datetime, format, convert, string",
    properties: [dtProp("input_datetime", "Datetime object to format"), formatProp("output_format", DATE_FORMAT.HUMAN_READABLE, "Desired output format")],
    outputs: [out("output", "str")],
    process: (inputs) => ({ output: strftime(readDateTime(inputs.input_datetime, "input_datetime"), formatOf(inputs.output_format, DATE_FORMAT.HUMAN_READABLE)) }),
  }),
  defineNode({
    type: "lib.date.GetWeekday",
    description: "Get the weekday name or number (Monday is 0) from a datetime.\n    datetime, weekday, name, day",
    properties: [dtProp("input_datetime", "Input datetime"), prop("as_name", "bool", true, { description: "Return weekday name instead of number (0-6)" })],
    outputs: [out("output", "str|int")],
    process: (inputs) => {
      const weekday = fieldsOf(readDateTime(inputs.input_datetime, "input_datetime").wallMs).weekday;
      return { output: toBool(inputs.as_name ?? true) ? WEEKDAYS[weekday] : weekday };
    },
  }),
  defineNode({
    type: "lib.date.DateRange",
    description: "Generate a list of dates between start and end dates (inclusive) every step_days days.\n    datetime, range, list, sequence",
    properties: [dtProp("start_date", "Start date of the range"), dtProp("end_date", "End date of the range"), prop("step_days", "int", 1, { description: "Number of days between each date" })],
    outputs: [out("output", "list[datetime]")],
    process: (inputs) => {
      const start = readDateTime(inputs.start_date, "start_date");
      const end = readDateTime(inputs.end_date, "end_date");
      const step = toInt(inputs.step_days ?? 1, "step_days");
      // Python loops forever on a step of 0 or less when start <= end; here it is an error.
      if (step < 1) throw new Error(`DateRange: step_days must be at least 1, got ${step}`);
      const output = [];
      for (let p = start; diffMicros(p, end) >= 0; p = withWall(p, p.wallMs + step * MS_PER_DAY)) {
        if (output.length >= MAX_DATE_RANGE) throw new Error(`DateRange: the range has more than ${MAX_DATE_RANGE} dates`);
        output.push(toDateTimeValue(p));
        if (p.wallMs + step * MS_PER_DAY > wallOf(9999, 12, 31)) break;
      }
      return { output };
    },
  }),
  defineNode({
    type: "lib.date.IsDateInRange",
    description: "Check if a date falls within a specified range with optional inclusivity.\n    datetime, range, check, validate",
    properties: [
      dtProp("check_date", "Date to check"),
      dtProp("start_date", "Start of date range"),
      dtProp("end_date", "End of date range"),
      prop("inclusive", "bool", true, { description: "Include start and end dates in range" }),
    ],
    outputs: [out("output", "bool")],
    process: (inputs) => {
      const check = readDateTime(inputs.check_date, "check_date");
      const afterStart = diffMicros(readDateTime(inputs.start_date, "start_date"), check);
      const beforeEnd = diffMicros(check, readDateTime(inputs.end_date, "end_date"));
      return { output: toBool(inputs.inclusive ?? true) ? afterStart >= 0 && beforeEnd >= 0 : afterStart > 0 && beforeEnd > 0 };
    },
  }),
  // NodeTool (Python): quarter_end is the quarter's last day at midnight, both as naive datetimes.
  defineNode({
    type: "lib.date.GetQuarter",
    description: "Get the quarter number and start/end dates for a given datetime.\n    datetime, quarter, period, fiscal",
    properties: [dtProp("input_datetime", "Input datetime")],
    outputs: [out("quarter", "int"), out("quarter_start", "datetime"), out("quarter_end", "datetime")],
    process: (inputs) => {
      const f = fieldsOf(readDateTime(inputs.input_datetime, "input_datetime").wallMs);
      const quarter = Math.floor((f.month - 1) / 3) + 1;
      const lastMonth = quarter * 3;
      return {
        quarter,
        quarter_start: toDateTimeValue(naiveAt(wallOf(f.year, lastMonth - 2, 1))),
        quarter_end: toDateTimeValue(naiveAt(wallOf(f.year, lastMonth, daysInMonth(f.year, lastMonth)))),
      };
    },
  }),
  defineNode({
    type: "lib.date.DateToDatetime",
    title: "Date To Datetime",
    description: "Convert a Date object to a Datetime object at midnight.\n    date, datetime, convert",
    properties: [prop("input_date", "date", EMPTY_DATE, { description: "Date to convert" })],
    outputs: dtOut,
    process: (inputs) => {
      const d = readDate(inputs.input_date, "input_date");
      return { output: toDateTimeValue(naiveAt(wallOf(d.year, d.month, d.day))) };
    },
  }),
  defineNode({
    type: "lib.date.DatetimeToDate",
    title: "Datetime To Date",
    description: "Convert a Datetime object to a Date object, removing time component.\n    date, datetime, convert",
    properties: [dtProp("input_datetime", "Datetime to convert")],
    outputs: [out("output", "date")],
    process: (inputs) => {
      const d = readDate(inputs.input_datetime, "input_datetime");
      return { output: toDateValue(d.year, d.month, d.day) };
    },
  }),
  // Months keep the day of the month, as Python's `replace(month=...)`: Jan 31 + 1 month is an error.
  defineNode({
    type: "lib.date.RelativeTime",
    description: "Get datetime relative to current time (past or future) with configurable units.\n    datetime, past, future, relative, hours, days, months",
    properties: [
      prop("amount", "int", 1, { min: 0, description: "Amount of time units" }),
      prop("unit", "enum", TIME_UNIT.DAYS, { values: Object.values(TIME_UNIT), description: "Time unit type" }),
      prop("direction", "enum", TIME_DIRECTION.FUTURE, { values: Object.values(TIME_DIRECTION), description: "Past or future" }),
    ],
    outputs: dtOut,
    process: (inputs, ctx) => {
      const amount = toInt(inputs.amount ?? 1, "amount");
      if (amount < 0) throw new Error(`RelativeTime: amount must be at least 0, got ${amount}`);
      const sign = enumValue(inputs.direction ?? "future", TIME_DIRECTION) === TIME_DIRECTION.PAST ? -1 : 1;
      const unit = enumValue(inputs.unit ?? "days", TIME_UNIT);
      const now = nowParts(ctx.services.now());
      if (unit === TIME_UNIT.HOURS) return { output: toDateTimeValue(withWall(now, now.wallMs + sign * amount * 3_600_000)) };
      if (unit === TIME_UNIT.DAYS) return { output: toDateTimeValue(withWall(now, now.wallMs + sign * amount * MS_PER_DAY)) };
      if (unit !== TIME_UNIT.MONTHS) throw new Error(`RelativeTime: unknown unit '${unit}' (expected hours, days or months)`);
      const f = fieldsOf(now.wallMs);
      const months = f.year * 12 + (f.month - 1) + sign * amount;
      const year = Math.floor(months / 12);
      const month = (months % 12) + 1;
      if (year < 1 || year > 9999) throw new Error("RelativeTime: year is out of range");
      if (f.day > daysInMonth(year, month)) throw new Error("RelativeTime: day is out of range for month");
      const wall = wallOf(year, month, f.day, f.hour, f.minute, f.second, f.millisecond);
      return { output: toDateTimeValue(withWall(now, wall)) };
    },
  }),
  defineNode({
    type: "lib.date.BoundaryTime",
    description: "Get the start or end boundary of a time period (day, week, month, year).\n    datetime, start, end, boundary, day, week, month, year",
    properties: [
      dtProp("input_datetime", "Input datetime"),
      prop("period", "enum", PERIOD.DAY, { values: Object.values(PERIOD), description: "Time period type" }),
      prop("boundary", "enum", BOUNDARY.START, { values: Object.values(BOUNDARY), description: "Start or end of period" }),
      prop("start_monday", "bool", true, { description: "For week period: Consider Monday as start of week (False for Sunday)" }),
    ],
    outputs: dtOut,
    process: (inputs) => {
      const p = readDateTime(inputs.input_datetime, "input_datetime");
      const edge = enumValue(inputs.boundary ?? "start", BOUNDARY);
      if (edge !== BOUNDARY.START && edge !== BOUNDARY.END) throw new Error(`BoundaryTime: unknown boundary '${edge}' (expected start or end)`);
      return { output: toDateTimeValue(boundary(p, enumValue(inputs.period ?? "day", PERIOD), edge, toBool(inputs.start_monday ?? true))) };
    },
  }),
];
