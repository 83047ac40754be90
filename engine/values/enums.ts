/** NodeTool enums used by more than one node module. */

/** `FilterType` (text.FilterString, dictionary.FilterDictByValue). */
export const FILTER_TYPE = {
  CONTAINS: "contains",
  STARTS_WITH: "starts_with",
  ENDS_WITH: "ends_with",
  EQUALS: "equals",
  TYPE_IS: "type_is",
  LENGTH_GREATER: "length_greater",
  LENGTH_LESS: "length_less",
  EXACT_LENGTH: "exact_length",
} as const;
