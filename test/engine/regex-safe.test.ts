import { describe, expect, it } from "vitest";
import { nodeCodeSandbox, quickJSWasmModule } from "../../cli/code-sandbox";
import { createQuickJSSandbox } from "../../engine/code/quickjs";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { compileRegex, RegexError, type RegexFlags } from "../../engine/regex/safe-regex";
import { graph, registry } from "./helpers";

const sandbox = nodeCodeSandbox();
const evil = "a".repeat(50_000) + "!";

const re2 = (pattern: string, flags?: RegexFlags) => {
  const re = compileRegex(pattern, { what: "T", flags });
  expect(re.engine).toBe("re2");
  return re;
};

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = Date.now();
  const v = await f();
  return [v, Date.now() - t0];
}

describe("safe regex: RE2 for every pattern it supports", () => {
  it("runs catastrophic patterns in linear time with correct results", async () => {
    const [none, ms] = await timed(() => re2("(a+)+$").findAll(evil));
    expect(none).toEqual([]);
    expect(ms).toBeLessThan(3000);
    expect(await re2("(a|aa)*b").test(evil)).toBe(false);
    expect(await re2("(a|aa)*!").test(evil)).toBe(true);
    expect(await re2("^(\\w+\\s?)*$").fullMatch("word ".repeat(5000) + "!")).toBe(false);
    expect(await re2("(x+x+)+y").matchStart("x".repeat(30_000))).toBe(false);
    const [m] = await re2("(a+)+!").findAll("aaa!");
    expect([m[0], m[1], m.index]).toEqual(["aaa!", "aaa", 0]);
  });

  it("keeps Python syntax: named groups, \\Z, inline flags, verbose mode, comments, {,n}, []...] classes", async () => {
    const date = await re2("(?P<y>\\d{4})-(?P<m>\\d\\d)").search("on 2024-03-15");
    expect([date![0], date![1], date![2], date!.index, date!.groups]).toEqual(["2024-03", "2024", "03", 3, { y: "2024", m: "03" }]);
    expect(await re2("abc\\Z").test("xabc")).toBe(true);
    expect(await re2("abc\\Z").test("abc\n")).toBe(false);
    expect(await re2("\\Aab").test("xab")).toBe(false);
    expect(await re2("(?i)abc").test("ABC")).toBe(true);
    expect(await re2("(?x) a b  # comment\n c").fullMatch("abc")).toBe(true);
    expect(await re2("a(?#note)b").fullMatch("ab")).toBe(true);
    expect((await re2("a{,2}").search("aaa"))![0]).toBe("aa");
    expect((await re2("[]x]+").search("a]x]"))![0]).toBe("]x]");
    expect((await re2("\\u0041\\U0001F600").search("zA😀"))!.index).toBe(1);
    expect(await re2("^\\s+$").test("\u00a0\v\t ")).toBe(true);
    expect(await re2("[\\b]").test("\b")).toBe(true);
    expect(re2("(a)(?:b)(?P<c>c)?").groupCount).toBe(2);
  });

  it("honours IGNORECASE, MULTILINE and DOTALL", async () => {
    expect((await re2("cat", { ignorecase: true }).findAll("Cat cAT")).map((m) => m[0])).toEqual(["Cat", "cAT"]);
    expect((await re2("^\\w", { multiline: true }).findAll("a1\nb2")).map((m) => m[0])).toEqual(["a", "b"]);
    expect(await re2("^b").test("a\nb")).toBe(false);
    expect(await re2("a.b").test("a\nb")).toBe(false);
    expect(await re2("a.b", { dotall: true }).test("a\nb")).toBe(true);
  });

  it("iterates empty matches as Python does, one code point at a time", async () => {
    expect((await re2("x*").findAll("abxd")).map((m) => [m.index, m[0]])).toEqual([
      [0, ""],
      [1, ""],
      [2, "x"],
      [3, ""],
      [4, ""],
    ]);
    expect((await re2("").findAll("a😀")).map((m) => m.index)).toEqual([0, 1, 3]);
  });

  it("runs lookbehinds without captures on RE2", async () => {
    expect((await re2("(?<=\\$)\\d+").findAll("$5 and 6 and $70")).map((m) => m[0])).toEqual(["5", "70"]);
    expect((await re2("(?<!-)\\b\\d").findAll("-1 2")).map((m) => m[0])).toEqual(["2"]);
  });

  it("reports invalid patterns as invalid", () => {
    for (const bad of ["(unclosed", "[z-a]", "a)"]) {
      let err: unknown;
      try {
        compileRegex(bad, { what: "T", sandbox });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RegexError);
      expect((err as RegexError).reason).toBe("invalid");
      expect((err as Error).message).toMatch(/^T: invalid regular expression/);
    }
  });
});

describe("safe regex: backtracking constructs", () => {
  it("are refused without a sandbox, naming the construct", () => {
    const cases: [string, RegExp][] = [
      ["(a)\\1", /backreference \(\\1\)/],
      ["(?P<q>['\"]).*?(?P=q)", /named backreference \(\(\?P=name\)\)/],
      ["\\d+(?=px)", /lookahead \(\(\?=\.\.\.\)\)/],
      ["foo(?!bar)", /negative lookahead/],
      ["(?<=(a))b", /capture group inside a lookbehind/],
    ];
    for (const [pattern, construct] of cases) {
      expect(() => compileRegex(pattern, { what: "T" })).toThrow(construct);
      expect(() => compileRegex(pattern, { what: "T" })).toThrow(/no code sandbox/);
    }
  });

  it("run in the sandbox with Python semantics", async () => {
    const back = compileRegex("(?P<q>['\"])(?P<body>.*?)(?P=q)", { what: "T", sandbox });
    expect(back.engine).toBe("sandbox");
    expect(back.groupCount).toBe(2);
    const found = await back.findAll(`say "hi" and 'yo'`);
    expect(found.map((m) => [m.index, m[0], m.groups?.body])).toEqual([
      [4, '"hi"', "hi"],
      [13, "'yo'", "yo"],
    ]);
    const ahead = compileRegex("\\d+(?=px)", { what: "T", sandbox, flags: { ignorecase: true } });
    expect((await ahead.findAll("10PX 20em 30px")).map((m) => m[0])).toEqual(["10", "30"]);
    expect(await ahead.search("none")).toBeNull();
    expect(await compileRegex("(a)\\1", { what: "T", sandbox }).matchStart("aab")).toBe(true);
    expect(await compileRegex("(a)\\1|b", { what: "T", sandbox }).fullMatch("aab")).toBe(false);
    expect(await compileRegex("(a)\\1|b", { what: "T", sandbox }).fullMatch("b")).toBe(true);
    const unmatched = await compileRegex("(x)?(?=y)", { what: "T", sandbox }).search("y");
    expect([unmatched![0], unmatched![1]]).toEqual(["", undefined]);
  });

  it("fail with a clear message when they backtrack past the time limit", async () => {
    const bomb = compileRegex("(?=a)(a+)+$", { what: "T", sandbox, timeoutMs: 300 });
    const t0 = Date.now();
    await expect(bomb.test("a".repeat(40) + "!")).rejects.toThrow(/uses a lookahead.*ran longer than 0\.3 s and was stopped/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("are stopped by the step budget where the host clock is frozen (deployed Workers)", async () => {
    const frozen = createQuickJSSandbox({ wasmModule: await quickJSWasmModule(), now: () => 0 });
    const bomb = compileRegex("(a+)+\\1$", { what: "T", sandbox: frozen, timeoutMs: 300 });
    const t0 = Date.now();
    await expect(bomb.test("a".repeat(40) + "!")).rejects.toThrow(/backreference \(\\1\).*was stopped/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  }, 20_000);
});

/** Runs one node with the code sandbox available, as the Worker and the CLI run it. */
async function runWithSandbox(type: string, data: Record<string, unknown>): Promise<{ status: string; error?: string; out?: unknown }> {
  const g = graph(
    [
      { id: "n", type, data },
      { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
    ],
    [["n", "output", "out", "value"]],
  );
  const r = await runWorkflow(g, {}, { registry, emit: () => {}, services: { code: sandbox } });
  return { status: r.status, error: r.error, out: r.result.out };
}

describe("regex nodes never hang", () => {
  it("text nodes answer catastrophic patterns quickly and correctly", async () => {
    const t0 = Date.now();
    expect((await runWithSandbox("nodetool.text.FindAllRegex", { text: evil, regex: "(a+)+$" })).out).toEqual([]);
    expect((await runWithSandbox("nodetool.text.RegexMatch", { text: evil, pattern: "(a+)+!", group: 1 })).out).toEqual(["a".repeat(50_000)]);
    expect((await runWithSandbox("nodetool.text.RegexValidate", { text: evil, pattern: "(a+)+$" })).out).toBe(false);
    expect((await runWithSandbox("nodetool.text.RegexReplace", { text: evil, pattern: "(a|aa)+$", replacement: "x" })).out).toBe(evil);
    expect((await runWithSandbox("nodetool.text.RegexSplit", { text: "ab!" + evil, pattern: "(a+)+$" })).out).toEqual(["ab!" + evil]);
    expect((await runWithSandbox("nodetool.text.ExtractRegex", { text: evil, regex: "((a+)+)b" })).out).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it("text nodes run backreferences in the sandbox", async () => {
    expect((await runWithSandbox("nodetool.text.ExtractRegex", { text: "abab", regex: "(?P<x>ab)(?P=x)" })).out).toEqual(["ab"]);
    expect((await runWithSandbox("nodetool.text.RegexReplace", { text: "bookkeeper", pattern: "(?P<c>\\w)(?P=c)", replacement: "\\g<c>" })).out).toBe("bokeper");
    expect((await runWithSandbox("nodetool.text.RegexSplit", { text: "a==b--c", pattern: "(=|-)\\1", maxsplit: 1 })).out).toEqual(["a", "=", "b--c"]);
  });

  it("a node fails clearly when a sandboxed pattern backtracks too long", async () => {
    const r = await runWithSandbox("nodetool.text.FindAllRegex", { text: "a".repeat(40) + "!", regex: "(a+)+\\1$" });
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/FindAllRegex: the regular expression '\(a\+\)\+\\1\$' uses a backreference \(\\1\).*ran longer than 2 s/);
  }, 20_000);

  it("FilterDictRegex uses Python syntax and never hangs", async () => {
    const g = graph(
      [
        { id: "src", type: "nodetool.constant.List", data: { value: [{ s: evil }, { s: "2024-01-02" }, { s: "x" }] } },
        { id: "each", type: "nodetool.control.ForEach", data: {} },
        { id: "f", type: "nodetool.dictionary.FilterDictRegex", data: { key: "s", pattern: "(?P<y>\\d{4})-\\d\\d-\\d\\d|(a+)+$", full_match: true } },
        { id: "out", type: "nodetool.output.Output", data: { name: "kept" } },
      ],
      [
        ["src", "output", "each", "input_list"],
        ["each", "output", "f", "value"],
        ["f", "output", "out", "value"],
      ],
    );
    const t0 = Date.now();
    const r = await runWorkflow(g, {}, { registry, emit: () => {}, services: { code: sandbox } });
    expect(r.error).toBeUndefined();
    expect(r.outputs.kept).toEqual([{ s: "2024-01-02" }]);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
