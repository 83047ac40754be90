import { stringify } from "yaml";

/**
 * Block-style YAML for a JSON-like value, as dictionary.ToYAML emits it. YAML 1.1 scalars are quoted
 * (`"yes"`, `"on"`), so readers on either YAML version (PyYAML reads 1.1) get strings back, not booleans.
 * No trailing newline: the output is a value, not a file.
 */
export function toYaml(value: unknown): string {
  const text = stringify(value ?? null, { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false });
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}
