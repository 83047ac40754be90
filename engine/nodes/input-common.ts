import { prop } from "../registry/define-node";
import type { Outputs, PropertyDecl } from "../registry/types";

/** NodeTool's `name`, `value`, `description` properties of every input node, then its own extras. */
export function inputProperties(valueType: string, defaultValue: unknown, extra: PropertyDecl[] = []): PropertyDecl[] {
  return [
    prop("name", "str", "", { description: "The parameter name callers set in `params`" }),
    prop("value", valueType, defaultValue, { description: "Value used when the run does not set this parameter" }),
    prop("description", "str", "", { description: "Shown to people filling in the form" }),
    ...extra,
  ];
}

/** What an input node hands on: its value on `output` and on `value` alike. */
export function inputOutputs(value: unknown): Outputs {
  return { output: value, value };
}
