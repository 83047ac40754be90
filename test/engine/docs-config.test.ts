import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// docs/configuration.md must name every setting the code reads: the Worker's `Env` (edge/config/env.ts), the
// runner's environment schema (gpu-runner/src/config.ts) and its direct `process.env` reads, and wrangler.toml's
// [vars]. The sources are read as text, so a new variable fails this test until it is documented.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const read = (rel: string) => readFileSync(path.join(ROOT, rel), "utf8");

/** Line comments and block comments out, so that names only mentioned in prose are not taken for keys. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/** Upper-case property keys (`NAME:` / `NAME?:` at the start of a line), as an interface or a zod object writes them. */
function upperCaseKeys(source: string): string[] {
  const keys = [...stripComments(source).matchAll(/^\s*(?:readonly\s+)?([A-Z][A-Z0-9_]*)\??\s*:/gm)].map((m) => m[1]);
  return [...new Set(keys)];
}

/** The text of the `{...}` that follows `marker` (brace-matched), or null when the marker is absent. */
function blockAfter(source: string, marker: string): string | null {
  const at = source.indexOf(marker);
  if (at < 0) return null;
  const open = source.indexOf("{", at);
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === "{") depth++;
    else if (source[i] === "}" && --depth === 0) return source.slice(open + 1, i);
  }
  return null;
}

/** Names in backticks in the first column of the document's tables. */
function documentedNames(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const line of markdown.split("\n")) {
    const cell = /^\|([^|]*)\|/.exec(line)?.[1];
    if (!cell) continue;
    for (const m of cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(m[1]);
  }
  return names;
}

function wranglerVars(toml: string): string[] {
  const section = /^\[vars\]\s*$([\s\S]*?)(?=^\[)/m.exec(toml)?.[1] ?? "";
  return [...section.matchAll(/^([A-Z][A-Z0-9_]*)\s*=/gm)].map((m) => m[1]);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : /\.(ts|mjs|js)$/.test(name) ? [full] : [];
  });
}

const doc = documentedNames(read("docs/configuration.md"));
const missing = (names: string[]) => names.filter((n) => !doc.has(n));

describe("docs/configuration.md", () => {
  it("documents every key of the Worker's Env", () => {
    const keys = upperCaseKeys(read("edge/config/env.ts"));
    // The bindings alone are nine: far fewer means the parser no longer understands env.ts, not that it shrank.
    expect(keys.length).toBeGreaterThan(40);
    expect(keys).toContain("AUTH_PROVIDER");
    expect(keys).toContain("DB");
    expect(missing(keys)).toEqual([]);
  });

  it("documents every variable of the gpu-runner", () => {
    const source = read("gpu-runner/src/config.ts");
    const schema = blockAfter(source, "EnvSchema = z.object(");
    expect(schema, "gpu-runner/src/config.ts no longer declares `EnvSchema = z.object({...})`: update this test").not.toBeNull();
    const keys = upperCaseKeys(schema!);
    expect(keys).toContain("GPU_RUNNER_TOKEN");
    expect(keys.length).toBeGreaterThan(10);
    const direct = filesUnder(path.join(ROOT, "gpu-runner/src")).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]),
    );
    expect(missing([...new Set([...keys, ...direct])])).toEqual([]);
  });

  it("documents every [vars] entry of wrangler.toml", () => {
    const vars = wranglerVars(read("wrangler.toml"));
    expect(vars).toContain("AUTH_PROVIDER");
    expect(missing(vars)).toEqual([]);
  });

  it("documents no Worker variable that the Worker no longer has", () => {
    const markdown = read("docs/configuration.md");
    const section = /^## Worker variables$([\s\S]*?)(?=^## )/m.exec(markdown)?.[1];
    expect(section, "docs/configuration.md lost its '## Worker variables' section").toBeDefined();
    const env = new Set(upperCaseKeys(read("edge/config/env.ts")));
    expect([...documentedNames(section!)].filter((n) => !env.has(n))).toEqual([]);
  });

  it("its parsers see what they must (so the checks above can fail)", () => {
    const source = `export interface Env {\n  DB: D1Database;\n  /** SECRET_IN_PROSE: x */\n  // COMMENTED_OUT?: string;\n  NEW_SETTING?: string;\n}`;
    expect(upperCaseKeys(source)).toEqual(["DB", "NEW_SETTING"]);
    const names = documentedNames("| `DB` | D1 |\n| `A` / `B` | x |\nprose `NEW_SETTING`\n| x | `NOT_FIRST_COLUMN` |");
    expect([...names].sort()).toEqual(["A", "B", "DB"]);
    expect(upperCaseKeys(source).filter((n) => !names.has(n))).toEqual(["NEW_SETTING"]);
    expect(wranglerVars('name = "x"\n[vars]\nFOO = "1"\n# BAR = "2"\n[[d1]]\nBAZ = 1\n')).toEqual(["FOO"]);
    expect(blockAfter("const EnvSchema = z.object({ A: z.string(), B: z.object({ C: 1 }) });", "EnvSchema = z.object(")).toBe(" A: z.string(), B: z.object({ C: 1 }) ");
  });
});
