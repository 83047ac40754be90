/** Shared pieces of the `nodetool.text.*` node modules: property shorthands, enums, templates, stream filters. */
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeDecl, NodeInputs, NodeOutputs } from "../registry/types";
import { renderTemplate, TemplateError } from "../template/index";
import { text } from "../text/strings";
import { toBool } from "../values/coerce";
import type { RegexFlags } from "../regex/safe-regex";

export function render(source: unknown, vars: Record<string, unknown>): string {
  try {
    return renderTemplate(text(source), vars, { singleBrace: true });
  } catch (err) {
    if (err instanceof TemplateError) throw new Error(`Template error: ${err.message}`);
    throw err;
  }
}

/** The dynamic inputs of a node: every key that is not a declared property. */
export function dynamicInputs(inputs: Inputs, declared: readonly string[]): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) if (!declared.includes(k)) vars[k] = v;
  return vars;
}

export const MATCH_MODE = { ANY: "any", ALL: "all", NONE: "none" } as const;
export const MEASURE = { CHARACTERS: "characters", WORDS: "words", LINES: "lines" } as const;
export const PAD_DIRECTION = { LEFT: "left", RIGHT: "right", BOTH: "both" } as const;
export const TO_STRING_MODE = { STR: "str", REPR: "repr" } as const;

export const PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

export const textProp = (description = "The input text") => prop("text", "str", "", { description });
export const strOut = [out("output", "str")];
export const boolOut = [out("output", "bool")];
export const intOut = [out("output", "int")];
export const listStrOut = [out("output", "list[str]")];

export function simple(type: string, description: string, fn: (s: string) => string): NodeDecl {
  return defineNode({
    type: `nodetool.text.${type}`,
    description,
    properties: [textProp()],
    outputs: strOut,
    process: (inputs) => ({ output: fn(text(inputs.text)) }),
  });
}

/** Streaming filter shared by FilterString and FilterRegexString: buffers items until connected settings arrive. */
export async function streamFilter(
  inputs: NodeInputs,
  outputs: NodeOutputs,
  settings: string[],
  makeTest: (state: Record<string, unknown>) => (value: string) => boolean | Promise<boolean>,
): Promise<void> {
  const state: Record<string, unknown> = {};
  for (const s of settings) state[s] = inputs.value(s);
  const waiting = new Set(settings.filter((s) => inputs.connected(s)));
  let test: ((value: string) => boolean | Promise<boolean>) | null = null;
  const pending: unknown[] = [];
  const check = async (v: unknown) => {
    if (typeof v !== "string") return;
    test ??= makeTest(state);
    if (await test(v)) outputs.emit("output", v);
  };
  for await (const [handle, item] of inputs.any()) {
    if (handle === "value") {
      if (waiting.size > 0) pending.push(item);
      else await check(item);
      continue;
    }
    if (!settings.includes(handle)) continue;
    state[handle] = item;
    test = null;
    waiting.delete(handle);
    if (waiting.size === 0) for (const v of pending.splice(0)) await check(v);
  }
  for (const v of pending.splice(0)) await check(v);
}

export function normalizePair(inputs: Inputs): [string, string] {
  const norm = (v: unknown) => {
    let s = text(v);
    if (toBool(inputs.trim_whitespace)) s = s.trim();
    return toBool(inputs.case_sensitive) ? s : s.toLowerCase();
  };
  return [norm(inputs.text_a), norm(inputs.text_b)];
}

export function regexFlags(inputs: Inputs): RegexFlags {
  return { ignorecase: toBool(inputs.ignorecase), multiline: toBool(inputs.multiline), dotall: toBool(inputs.dotall) };
}
