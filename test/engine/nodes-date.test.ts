import { describe, expect, it } from "vitest";
import { strftime, strptime } from "../../engine/datetime/strftime";
import { readDateTime } from "../../engine/datetime/calendar";
import { packOutput, runPackNode } from "./data-pack-harness";

const T = (name: string) => `lib.date.${name}`;

const dt = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0, extra: Record<string, unknown> = {}) => ({
  type: "datetime",
  year,
  month,
  day,
  hour,
  minute,
  second,
  microsecond: 0,
  tzinfo: "UTC",
  utc_offset: 0,
  ...extra,
});

const runAt = (nowMs: number, type: string, data: Record<string, unknown>, handles: string[] = ["output"]) =>
  runPackNode(type, data, handles, { now: () => nowMs });
const runNode = (type: string, data: Record<string, unknown>) => packOutput(type, data);

describe("strftime / strptime", () => {
  const p = readDateTime(dt(2024, 3, 5, 14, 7, 9, { microsecond: 1234, utc_offset: 7200, tzinfo: "CEST" }), "t");
  it("formats Python directives", () => {
    expect(strftime(p, "%Y-%m-%d %H:%M:%S.%f %z %Z")).toBe("2024-03-05 14:07:09.001234 +0200 CEST");
    expect(strftime(p, "%A %a %B %b %d %j %I%p %y %w %u %%")).toBe("Tuesday Tue March Mar 05 065 02PM 24 2 2 %");
    expect(strftime(p, "%U %W")).toBe("09 10");
  });
  it("parses like datetime.strptime", () => {
    const a = strptime("March 5, 2024", "%B %d, %Y");
    expect(strftime(a.parts, "%Y-%m-%d")).toBe("2024-03-05");
    expect(a.naive).toBe(true);
    const b = strptime("2024-03-05T14:07:09-0530", "%Y-%m-%dT%H:%M:%S%z");
    expect(b.parts.offset).toBe(-19800);
    expect(b.parts.tzinfo).toBe("UTC-05:30");
    expect(strftime(strptime("07/04/99 11:30 pm", "%m/%d/%y %I:%M %p").parts, "%Y-%m-%d %H:%M")).toBe("1999-07-04 23:30");
    expect(() => strptime("2024-02-30", "%Y-%m-%d")).toThrow(/out of range/);
    expect(() => strptime("2024-03-05x", "%Y-%m-%d")).toThrow(/unconverted data remains: x/);
    expect(() => strptime("05/03/2024", "%Y-%m-%d")).toThrow(/does not match format/);
  });
});

describe("lib.date nodes", () => {
  it("Today and Now read the host clock in UTC", async () => {
    const now = Date.UTC(2025, 11, 31, 23, 59, 30, 250);
    expect((await runAt(now, T("Today"), {})).output).toEqual({ type: "date", year: 2025, month: 12, day: 31 });
    expect((await runAt(now, T("Now"), {})).output).toEqual({ ...dt(2025, 12, 31, 23, 59, 30), microsecond: 250_000 });
  });

  it("ParseDate / ParseDateTime / FormatDateTime round-trip with NodeTool's formats", async () => {
    expect(await runNode(T("ParseDate"), { date_string: "31/12/2024", input_format: "%d/%m/%Y" })).toEqual({ type: "date", year: 2024, month: 12, day: 31 });
    expect(await runNode(T("ParseDate"), { date_string: "20240229", input_format: "DateFormat.COMPACT" })).toEqual({ type: "date", year: 2024, month: 2, day: 29 });
    const parsed = await runNode(T("ParseDateTime"), { datetime_string: "2024-01-02T03:04:05+0100", input_format: "%Y-%m-%dT%H:%M:%S%z" });
    expect(parsed).toEqual(dt(2024, 1, 2, 3, 4, 5, { tzinfo: "UTC+01:00", utc_offset: 3600 }));
    expect(await runNode(T("FormatDateTime"), { input_datetime: parsed, output_format: "%Y-%m-%dT%H:%M:%S%z" })).toBe("2024-01-02T03:04:05+0100");
    expect(await runNode(T("FormatDateTime"), { input_datetime: parsed })).toBe("January 02, 2024");
    await expect(runNode(T("FormatDateTime"), {})).rejects.toThrow(/input_datetime is not set/);
    await expect(runNode(T("ParseDate"), { date_string: "2024-13-01" })).rejects.toThrow(/does not match format/);
  });

  it("AddTimeDelta moves the wall clock and checks its bounds", async () => {
    expect(await runNode(T("AddTimeDelta"), { input_datetime: dt(2024, 2, 28, 23, 30), days: 1, hours: 1, minutes: -45 })).toEqual(dt(2024, 2, 29, 23, 45));
    await expect(runNode(T("AddTimeDelta"), { input_datetime: dt(2024, 1, 1), hours: 25 })).rejects.toThrow(/hours must be between -24 and 24/);
  });

  it("DateDifference splits like Python's timedelta", async () => {
    const out = await runAt(0, T("DateDifference"), { start_date: dt(2024, 1, 1), end_date: dt(2024, 1, 3, 5, 6, 7) }, ["total_seconds", "days", "hours", "minutes", "seconds"]);
    expect(out).toEqual({ total_seconds: 2 * 86400 + 5 * 3600 + 6 * 60 + 7, days: 2, hours: 5, minutes: 6, seconds: 7 });
    const neg = await runAt(0, T("DateDifference"), { start_date: dt(2024, 1, 1, 0, 0, 10), end_date: dt(2024, 1, 1) }, ["total_seconds", "days", "hours", "minutes", "seconds"]);
    expect(neg).toEqual({ total_seconds: -10, days: -1, hours: 23, minutes: 59, seconds: 50 });
    // Offsets count: 12:00+02:00 is 10:00 UTC.
    const tz = await runAt(0, T("DateDifference"), { start_date: dt(2024, 1, 1, 12, 0, 0, { utc_offset: 7200 }), end_date: dt(2024, 1, 1, 12) }, ["total_seconds"]);
    expect(tz.total_seconds).toBe(7200);
  });

  it("GetWeekday, IsDateInRange, DateRange", async () => {
    expect(await runNode(T("GetWeekday"), { input_datetime: dt(2024, 3, 3) })).toBe("Sunday");
    expect(await runNode(T("GetWeekday"), { input_datetime: dt(2024, 3, 3), as_name: false })).toBe(6);
    const range = { start_date: dt(2024, 1, 1), end_date: dt(2024, 1, 31) };
    expect(await runNode(T("IsDateInRange"), { check_date: dt(2024, 1, 31), ...range })).toBe(true);
    expect(await runNode(T("IsDateInRange"), { check_date: dt(2024, 1, 31), ...range, inclusive: false })).toBe(false);
    const dates = (await runNode(T("DateRange"), { ...range, step_days: 10 })) as { day: number }[];
    expect(dates.map((d) => d.day)).toEqual([1, 11, 21, 31]);
    await expect(runNode(T("DateRange"), { ...range, step_days: 0 })).rejects.toThrow(/step_days must be at least 1/);
  });

  it("GetQuarter, DateToDatetime, DatetimeToDate", async () => {
    const q = await runAt(0, T("GetQuarter"), { input_datetime: dt(2023, 11, 15, 8) }, ["quarter", "quarter_start", "quarter_end"]);
    expect(q).toEqual({ quarter: 4, quarter_start: dt(2023, 10, 1), quarter_end: dt(2023, 12, 31) });
    expect(await runNode(T("DateToDatetime"), { input_date: { type: "date", year: 2020, month: 2, day: 29 } })).toEqual(dt(2020, 2, 29));
    expect(await runNode(T("DatetimeToDate"), { input_datetime: dt(2020, 2, 29, 23, 59) })).toEqual({ type: "date", year: 2020, month: 2, day: 29 });
  });

  it("RelativeTime counts from the host clock; months keep the day", async () => {
    const now = Date.UTC(2024, 0, 15, 10, 0, 0);
    expect((await runAt(now, T("RelativeTime"), { amount: 2, unit: "hours", direction: "past" })).output).toEqual(dt(2024, 1, 15, 8));
    expect((await runAt(now, T("RelativeTime"), { amount: 14, unit: "months" })).output).toEqual(dt(2025, 3, 15, 10));
    expect((await runAt(now, T("RelativeTime"), { amount: 1, unit: "months", direction: "past" })).output).toEqual(dt(2023, 12, 15, 10));
    await expect(runAt(Date.UTC(2024, 0, 31), T("RelativeTime"), { amount: 1, unit: "months" })).rejects.toThrow(/day is out of range/);
  });

  it("BoundaryTime for day, week, month and year", async () => {
    const d = dt(2024, 2, 14, 13, 5, 0, { utc_offset: -3600, tzinfo: "X" }); // a Wednesday
    const b = (data: Record<string, unknown>) => runNode(T("BoundaryTime"), { input_datetime: d, ...data });
    expect(await b({ period: "day" })).toEqual(dt(2024, 2, 14, 0, 0, 0, { utc_offset: -3600, tzinfo: "X" }));
    expect(await b({ period: "week" })).toMatchObject({ day: 12, hour: 0 });
    expect(await b({ period: "week", start_monday: false })).toMatchObject({ day: 11 });
    expect(await b({ period: "week", boundary: "end" })).toMatchObject({ day: 18, hour: 23, minute: 59, second: 59, microsecond: 999_999 });
    expect(await b({ period: "month", boundary: "end" })).toMatchObject({ month: 2, day: 29, hour: 23 });
    expect(await b({ period: "year", boundary: "start" })).toMatchObject({ year: 2024, month: 1, day: 1, hour: 0, utc_offset: -3600 });
  });
});
