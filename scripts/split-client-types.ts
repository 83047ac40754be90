/**
 * Splits openapi-typescript's one-file output (thousands of lines) into a file per route family, so a reader
 * finds the jobs routes in client/openapi/api-jobs.ts with the schemas only they use:
 * - each family file holds its `paths` entries (`<Family>Paths`) and the schemas its routes use most
 *   (`<Family>Schemas`);
 * - shared.ts holds the schemas that only other schemas use;
 * - index.ts puts them back together as the `paths` and `components` types openapi-fetch takes.
 * A family is `/api/<name>` or `/<name>` (files api-<name>.ts and <name>.ts); one that would pass
 * MAX_FAMILY_LINES is split again by the path's next fixed segment (api-workflows-run.ts, ...).
 * It works on the generated text, whose layout openapi-typescript fixes: top-level declarations at column 0,
 * path entries at 4 spaces, schema entries at 8, each ending at its own indentation.
 */

const MAX_FAMILY_LINES = 500;

interface Entry {
  /** The path (`/api/jobs/{id}`) or schema name. */
  key: string;
  lines: string[];
}

/** The entries of a `{ ... }` block whose members sit at `indent` spaces, comments kept with the member after them. */
function entries(block: string[], indent: number): Entry[] {
  const pad = " ".repeat(indent);
  const out: Entry[] = [];
  let pending: string[] = [];
  let inComment = false;
  let current: Entry | null = null;
  for (const line of block) {
    const atLevel = line.startsWith(pad) && line[indent] !== " ";
    if (inComment || (atLevel && line.slice(indent).startsWith("/**"))) {
      pending.push(line);
      inComment = !line.includes("*/");
      continue;
    }
    if (atLevel && !line.slice(indent).startsWith("}")) {
      const match = /^"?([^":]+)"?\??:/.exec(line.slice(indent));
      if (!match) throw new Error(`split-client-types: unexpected line '${line}'`);
      current = { key: match[1], lines: [...pending, line] };
      pending = [];
      out.push(current);
      continue;
    }
    if (!current) throw new Error(`split-client-types: a line before the first entry: '${line}'`);
    current.lines.push(line);
  }
  return out;
}

/** Lines strictly inside the top-level declaration that starts with `head`. */
function topBlock(lines: string[], head: string): string[] {
  const start = lines.findIndex((l) => l.startsWith(head));
  if (start < 0) throw new Error(`split-client-types: no '${head}' in the generated types`);
  const end = lines.findIndex((l, i) => i > start && l === "}");
  return lines.slice(start + 1, end);
}

function familyOf(path: string, depth: number): string {
  const fixed = path.split("/").filter((s) => s !== "" && !s.startsWith("{"));
  const api = fixed[0] === "api";
  const parts = fixed.slice(api ? 1 : 0, (api ? 1 : 0) + depth);
  return [api ? "api" : "", ...parts].filter(Boolean).join("-") || "root";
}

const typeName = (family: string) => family.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
/** Entries' lines re-indented to sit directly in an interface (paths are there already; schemas are one level deeper). */
const body = (list: Entry[], dedent: number) => list.flatMap((e) => e.lines.map((l) => l.slice(dedent))).join("\n");

/** The files (name → text) that replace the one generated file; `header` opens each. */
export function splitClientTypes(generated: string, header: string): Map<string, string> {
  const lines = generated.split("\n");
  const paths = entries(topBlock(lines, "export interface paths"), 4);
  const componentLines = topBlock(lines, "export interface components");
  const schemasEnd = componentLines.indexOf("    };");
  if (componentLines[0] !== "    schemas: {" || schemasEnd < 0) throw new Error("split-client-types: components.schemas not where expected");
  const schemas = entries(componentLines.slice(1, schemasEnd), 8);
  const otherComponents = componentLines.slice(schemasEnd + 1);

  // Families, split one level deeper while too long.
  const families = new Map<string, Entry[]>();
  for (const entry of paths) {
    const family = familyOf(entry.key, 1);
    families.set(family, [...(families.get(family) ?? []), entry]);
  }
  for (const [family, list] of [...families]) {
    if (list.reduce((n, e) => n + e.lines.length, 0) <= MAX_FAMILY_LINES) continue;
    families.delete(family);
    for (const entry of list) {
      const sub = familyOf(entry.key, 2);
      families.set(sub, [...(families.get(sub) ?? []), entry]);
    }
  }

  // Each schema goes with the family whose routes reference it most (the first by name on a tie); one that
  // only other schemas reference (a graph's node, a chat message's part) goes to shared.ts.
  const ownSchemas = new Map<string, Entry[]>([...families.keys()].map((f) => [f, []]));
  const shared: Entry[] = [];
  const count = (list: Entry[], ref: string) => list.reduce((n, e) => n + e.lines.filter((l) => l.includes(ref)).length, 0);
  for (const schema of schemas) {
    const ref = `components["schemas"]["${schema.key}"]`;
    let owner: string | null = null;
    let most = 0;
    for (const family of [...families.keys()].sort()) {
      const n = count(families.get(family) ?? [], ref);
      if (n > most) [owner, most] = [family, n];
    }
    if (owner === null) shared.push(schema);
    else ownSchemas.get(owner)?.push(schema);
  }

  const files = new Map<string, string>();
  const importComponents = 'import type { components } from "./index";\n\n';
  const names = [...families.keys()].sort();
  for (const family of names) {
    const own = ownSchemas.get(family) ?? [];
    const t = typeName(family);
    const pathText = body(families.get(family) ?? [], 0);
    const schemaText = body(own, 4);
    let text = `${header}${`${pathText}${schemaText}`.includes("components[") ? importComponents : ""}`;
    text += `export interface ${t}Paths {\n${pathText}\n}\n`;
    if (own.length > 0) text += `export interface ${t}Schemas {\n${schemaText}\n}\n`;
    files.set(`${family}.ts`, text);
  }
  files.set("shared.ts", `${header}${importComponents}export interface SharedSchemas {\n${body(shared, 4)}\n}\n`);

  const withSchemas = names.filter((f) => (ownSchemas.get(f) ?? []).length > 0);
  const imports = names
    .map((f) => `import type { ${typeName(f)}Paths${withSchemas.includes(f) ? `, ${typeName(f)}Schemas` : ""} } from "./${f}";`)
    .join("\n");
  const index = [
    `${header}${imports}`,
    'import type { SharedSchemas } from "./shared";',
    "",
    `export type paths = ${names.map((f) => `${typeName(f)}Paths`).join(" & ")};`,
    "export type webhooks = Record<string, never>;",
    "export interface components {",
    `    schemas: SharedSchemas & ${withSchemas.map((f) => `${typeName(f)}Schemas`).join(" & ")};`,
    ...otherComponents,
    "}",
    "export type $defs = Record<string, never>;",
    "export type operations = Record<string, never>;",
    "",
  ].join("\n");
  files.set("index.ts", index);
  return files;
}
