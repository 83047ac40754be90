import { describe, isRecord } from "../values/coerce";

/** NodeTool's `FilterDictNumberType` enum (dictionary.FilterDictByNumber, numbers.FilterNumber). */
export const FILTER_DICT_NUMBER_TYPE = {
  GREATER_THAN: "greater_than",
  LESS_THAN: "less_than",
  EQUAL_TO: "equal_to",
  EVEN: "even",
  ODD: "odd",
  POSITIVE: "positive",
  NEGATIVE: "negative",
} as const;

export const DICT = "dict";

export function dictOf(value: unknown, what: string): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (isRecord(value)) return value;
  throw new Error(`${what} must be a dictionary, got ${describe(value)}`);
}

export const has = (d: Record<string, unknown>, key: string) => Object.hasOwn(d, key);
