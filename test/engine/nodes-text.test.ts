import { describe, expect, it } from "vitest";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { CORE_NODES } from "../../engine/nodes/index";
import { textNodes } from "../../engine/nodes/text";
import { defineNode, out, prop } from "../../engine/registry/define-node";
import { NodeRegistry } from "../../engine/registry/registry";
import { graph, run, runNode } from "./helpers";

const T = (name: string) => `nodetool.text.${name}`;

/** Runs one node and expects the job to fail; returns the error. */
async function runNodeError(type: string, data: Record<string, unknown>): Promise<string> {
  const g = graph(
    [
      { id: "n", type, data },
      { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
    ],
    [["n", "output", "out", "value"]],
  );
  const r = await run(g);
  expect(r.status).toBe("failed");
  return r.error ?? "";
}

/** A test-only streaming source: emits each of `data.items` as one item on `output`. */
const emitNode = defineNode({
  type: "test.Emit",
  description: "Emits each item of `items`.",
  properties: [prop("items", "list", [])],
  outputs: [out("output", "any")],
  gen: async function* (inputs) {
    for (const item of inputs.items as unknown[]) yield { output: item };
  },
});
/** A test-only source that emits `data.value` after a delay, so it arrives after a stream has started. */
const laterNode = defineNode({
  type: "test.Later",
  description: "Emits `value` after `ms` milliseconds.",
  properties: [prop("value", "any", null), prop("ms", "int", 20)],
  outputs: [out("output", "any")],
  process: async (inputs) => {
    await new Promise((resolve) => setTimeout(resolve, inputs.ms as number));
    return { output: inputs.value };
  },
});
const streamRegistry = new NodeRegistry([...CORE_NODES, emitNode, laterNode]);

async function runStream(
  items: unknown[],
  type: string,
  data: Record<string, unknown>,
  handle: string,
  extra: { nodes?: { id: string; type: string; data?: Record<string, unknown> }[]; edges?: [string, string, string, string][] } = {},
) {
  const g = graph(
    [
      { id: "src", type: "test.Emit", data: { items } },
      { id: "n", type, data },
      { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
      ...(extra.nodes ?? []),
    ],
    [["src", "output", "n", handle], ["n", "output", "out", "value"], ...(extra.edges ?? [])],
  );
  return runWorkflow(g, {}, { registry: streamRegistry });
}

describe("text node declarations", () => {
  it("declares NodeTool's type names under nodetool.text", () => {
    const types = textNodes.map((n) => n.type);
    expect(new Set(types).size).toBe(types.length);
    for (const name of [
      "FormatText", "Template", "Concat", "Join", "Split", "Replace", "Contains", "Length", "Slice", "Extract", "Chunk",
      "ToUppercase", "ToLowercase", "ToTitlecase", "CapitalizeText", "ToString", "StartsWith", "EndsWith", "TrimWhitespace",
      "CollapseWhitespace", "IsEmpty", "Slugify", "TruncateText", "PadText", "IndexOf", "SurroundWith", "RemovePunctuation",
      "StripAccents", "HasLength", "Compare", "Equals", "RegexMatch", "RegexReplace", "RegexSplit", "RegexValidate",
      "ExtractRegex", "FindAllRegex", "ParseJSON", "ExtractJSON", "HtmlToText", "Collect", "FilterString", "FilterRegexString",
    ]) {
      expect(types).toContain(T(name));
    }
  });

  it("marks streaming and dynamic nodes", () => {
    const byType = new Map(textNodes.map((n) => [n.type, n]));
    expect(byType.get(T("Collect"))!.isStreamingInput).toBe(true);
    expect(byType.get(T("FilterString"))!.isStreamingInput).toBe(true);
    expect(byType.get(T("FormatText"))!.isDynamic).toBe(true);
    expect(byType.get(T("Template"))!.isDynamic).toBe(true);
    expect(byType.get(T("Replace"))!.properties.find((p) => p.name === "new")!.aliases).toEqual(["new_value"]);
    expect(byType.get(T("Chunk"))!.properties.map((p) => [p.name, p.default])).toEqual([
      ["text", ""],
      ["length", 100],
      ["overlap", 0],
      ["separator", " "],
    ]);
  });
});

describe("FormatText", () => {
  it("fills {{ var }} placeholders from dynamic properties", async () => {
    const output = await runNode(T("FormatText"), { template: "Hello, {{ name }}! You are {{ age }}." }, "output", {
      dynamic_properties: { name: "Ada", age: 36 },
    });
    expect(output).toBe("Hello, Ada! You are 36.");
  });

  it("renders undefined variables as empty and booleans as true/false", async () => {
    const output = await runNode(T("FormatText"), { template: "[{{ missing }}] {{ ok }} {{ no }}" }, "output", {
      dynamic_properties: { ok: true, no: false },
    });
    expect(output).toBe("[] true false");
  });

  it("applies filters, attribute access, conditions and loops", async () => {
    const template =
      "{{ user.name|upper }} has {{ items|length }} items: {{ items|join(', ') }}; first={{ items[0] }}" +
      "{% if vip %} (VIP){% else %} (regular){% endif %}\n{% for i in items %}- {{ loop.index }}. {{ i|title }}\n{% endfor %}" +
      "{{ note|default('no note') }} {{ title|truncate(9, true) }}";
    const output = await runNode(T("FormatText"), { template }, "output", {
      dynamic_properties: { user: { name: "bo" }, items: ["red apple", "pear"], vip: false, title: "A very long title" },
    });
    expect(output).toBe("BO has 2 items: red apple, pear; first=red apple (regular)\n- 1. Red Apple\n- 2. Pear\nno note A very...");
  });

  it("names variables by handle, not by the feeding input's name (which may contain spaces)", async () => {
    const g = graph(
      [
        { id: "in", type: "nodetool.input.StringInput", data: { name: "Customer Full Name", value: "Grace Hopper" } },
        { id: "fmt", type: T("FormatText"), data: { template: "Dear {{ customer }}," }, dynamic_properties: { customer: "" } },
        { id: "o", type: "nodetool.output.Output", data: { name: "letter" } },
      ],
      [
        ["in", "output", "fmt", "customer"],
        ["fmt", "output", "o", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ letter: "Dear Grace Hopper," });
    expect((await run(g, { "Customer Full Name": "Ada Lovelace" })).result).toEqual({ letter: "Dear Ada Lovelace," });
  });

  it("renders a dynamic property that is null (not connected) as empty", async () => {
    const output = await runNode(T("FormatText"), { template: "<{{ value }}>" }, "output", { dynamic_properties: { value: null } });
    expect(output).toBe("<>");
  });

  it("fails the job on a template syntax error", async () => {
    expect(await runNodeError(T("FormatText"), { template: "{% if x %}never closed" })).toMatch(/Template error: missing '\{% endif %}'/);
  });
});

describe("Template", () => {
  it("mirrors NodeTool's 'Fill a Template' example: StringInput -> Template handle `subject` -> Output", async () => {
    const g = graph(
      [
        { id: "in", type: "nodetool.input.StringInput", data: { name: "subject", value: "the winter release", description: "What the line is about" } },
        { id: "tpl", type: T("Template"), data: { string: "Subject: {{ subject }}\n\nWrite one sentence of launch copy about it." } },
        { id: "out", type: "nodetool.output.Output", data: { name: "filled" } },
      ],
      [
        ["in", "output", "tpl", "subject"],
        ["tpl", "output", "out", "value"],
      ],
    );
    const r = await run(g);
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ filled: "Subject: the winter release\n\nWrite one sentence of launch copy about it." });
    expect((await run(g, { subject: "a new API" })).result.filled).toBe("Subject: a new API\n\nWrite one sentence of launch copy about it.");
  });

  it("fills from `values`, with dynamic inputs taking precedence, and supports {name}", async () => {
    const output = await runNode(T("Template"), { string: "{{ a }}-{{ b }}-{c}", values: { a: 1, b: "from values", c: "C" } }, "output", {
      dynamic_properties: { b: "dynamic" },
    });
    expect(output).toBe("1-dynamic-C");
  });

  it("ignores `values` that are not a dict", async () => {
    expect(await runNode(T("Template"), { string: "[{{ x }}]", values: ["x"] })).toBe("[]");
  });
});

describe("Prompt", () => {
  it("renders its prompt with dynamic variables", async () => {
    expect(await runNode(T("Prompt"), { prompt: "Summarise {{ topic|lower }} in {n} words" }, "output", { dynamic_properties: { topic: "RUST", n: 5 } })).toBe(
      "Summarise rust in 5 words",
    );
  });
});

describe("Concat, Join, Split, Replace", () => {
  it("Concat joins a and b, then dynamic inputs, flattening lists", async () => {
    expect(await runNode(T("Concat"), { a: "foo", b: "bar" })).toBe("foobar");
    expect(await runNode(T("Concat"), { a: "", b: "" })).toBe("");
    expect(await runNode(T("Concat"), { a: "x", b: 1 }, "output", { dynamic_properties: { c: ["y", "z"], d: true } })).toBe("x1yztrue");
  });

  it("Join joins any values with a separator", async () => {
    expect(await runNode(T("Join"), { strings: ["a", 1, true], separator: ", " })).toBe("a, 1, true");
    expect(await runNode(T("Join"), { strings: [] })).toBe("");
  });

  it("Split splits on the delimiter (default ',')", async () => {
    expect(await runNode(T("Split"), { text: "a,b,,c" })).toEqual(["a", "b", "", "c"]);
    expect(await runNode(T("Split"), { text: "a - b", delimiter: " - " })).toEqual(["a", "b"]);
    expect(await runNode(T("Split"), { text: "" })).toEqual([""]);
  });

  it("Replace replaces every occurrence and accepts `new_value` for `new`", async () => {
    expect(await runNode(T("Replace"), { text: "a-b-c", old: "-", new: "+" })).toBe("a+b+c");
    expect(await runNode(T("Replace"), { text: "a-b-c", old: "-", new_value: "/" })).toBe("a/b/c");
    expect(await runNode(T("Replace"), { text: "abc", old: "", new: "x" })).toBe("abc");
  });

  it("Replace takes an edge into `new_value` (NodeTool's 'Find and Replace' example)", async () => {
    const g = graph(
      [
        { id: "in", type: "nodetool.input.StringInput", data: { name: "text", value: "The quick brown fox jumps over the lazy dog" } },
        { id: "old", type: "nodetool.input.StringInput", data: { name: "find", value: "lazy" } },
        { id: "new", type: "nodetool.input.StringInput", data: { name: "replace_with", value: "energetic" } },
        { id: "rp", type: T("Replace"), data: {} },
        { id: "out", type: "nodetool.output.Output", data: { name: "edited" } },
      ],
      [
        ["in", "output", "rp", "text"],
        ["old", "output", "rp", "old"],
        ["new", "output", "rp", "new_value"],
        ["rp", "output", "out", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ edited: "The quick brown fox jumps over the energetic dog" });
  });
});

describe("Contains, StartsWith, EndsWith, Equals, Compare", () => {
  it("Contains checks a substring, case-insensitively on request", async () => {
    const text = "Submissions close on the 14th; late entries are not reviewed.";
    expect(await runNode(T("Contains"), { text, substring: "close", case_sensitive: false })).toBe(true);
    expect(await runNode(T("Contains"), { text, substring: "CLOSE" })).toBe(false);
    expect(await runNode(T("Contains"), { text, substring: "CLOSE", case_sensitive: false })).toBe(true);
    expect(await runNode(T("Contains"), { text, substring: "" })).toBe(false);
  });

  it("Contains matches search_values with any/all/none", async () => {
    const text = "red green blue";
    expect(await runNode(T("Contains"), { text, search_values: ["red", "pink"], match_mode: "any" })).toBe(true);
    expect(await runNode(T("Contains"), { text, search_values: ["red", "pink"], match_mode: "all" })).toBe(false);
    expect(await runNode(T("Contains"), { text, search_values: ["red", "green"], match_mode: "all" })).toBe(true);
    expect(await runNode(T("Contains"), { text, search_values: ["pink", "gray"], match_mode: "none" })).toBe(true);
    expect(await runNode(T("Contains"), { text, search_values: ["pink", "blue"], match_mode: "MatchMode.NONE" })).toBe(false);
  });

  it("StartsWith and EndsWith", async () => {
    expect(await runNode(T("StartsWith"), { text: "report.pdf", prefix: "rep" })).toBe(true);
    expect(await runNode(T("StartsWith"), { text: "report.pdf", prefix: "pdf" })).toBe(false);
    expect(await runNode(T("EndsWith"), { text: "report.pdf", suffix: ".pdf" })).toBe(true);
    expect(await runNode(T("EndsWith"), { text: "", suffix: "x" })).toBe(false);
  });

  it("Equals with case and whitespace options", async () => {
    expect(await runNode(T("Equals"), { text_a: "Hello", text_b: "hello" })).toBe(false);
    expect(await runNode(T("Equals"), { text_a: "Hello", text_b: "hello", case_sensitive: false })).toBe(true);
    expect(await runNode(T("Equals"), { text_a: " x ", text_b: "x", trim_whitespace: true })).toBe(true);
    expect(await runNode(T("Equals"), { text_a: "", text_b: "" })).toBe(true);
  });

  it("Compare reports less, equal or greater by code point", async () => {
    expect(await runNode(T("Compare"), { text_a: "apple", text_b: "banana" })).toBe("less");
    expect(await runNode(T("Compare"), { text_a: "b", text_b: "B" })).toBe("greater");
    expect(await runNode(T("Compare"), { text_a: "b", text_b: "B", case_sensitive: false })).toBe("equal");
    expect(await runNode(T("Compare"), { text_a: "\uffff", text_b: "😀" })).toBe("less");
  });
});

describe("case and cleanup nodes", () => {
  it("ToUppercase, ToLowercase, ToTitlecase, CapitalizeText", async () => {
    expect(await runNode(T("ToUppercase"), { text: "straße" })).toBe("STRASSE");
    expect(await runNode(T("ToLowercase"), { text: "ÀB C" })).toBe("àb c");
    expect(await runNode(T("ToTitlecase"), { text: "hello wORLD, élan (vital) they're" })).toBe("Hello World, Élan (Vital) They're");
    expect(await runNode(T("CapitalizeText"), { text: "hELLO World" })).toBe("Hello world");
    expect(await runNode(T("CapitalizeText"), { text: "" })).toBe("");
  });

  it("ToString converts values (str and repr modes)", async () => {
    expect(await runNode(T("ToString"), { value: 42 })).toBe("42");
    expect(await runNode(T("ToString"), { value: true })).toBe("true");
    expect(await runNode(T("ToString"), { value: { a: [1, "x"] } })).toBe('{"a":[1,"x"]}');
    expect(await runNode(T("ToString"), { value: "it's", mode: "repr" })).toBe(`"it's"`);
    expect(await runNode(T("ToString"), { value: { a: [1, "x", null, false] }, mode: "Mode.REPR" })).toBe("{'a': [1, 'x', None, False]}");
  });

  it("TrimWhitespace trims either end", async () => {
    expect(await runNode(T("TrimWhitespace"), { text: "  a b \n" })).toBe("a b");
    expect(await runNode(T("TrimWhitespace"), { text: "  a  ", trim_end: false })).toBe("a  ");
    expect(await runNode(T("TrimWhitespace"), { text: "  a  ", trim_start: false })).toBe("  a");
  });

  it("CollapseWhitespace collapses runs, optionally keeping newlines", async () => {
    expect(await runNode(T("CollapseWhitespace"), { text: "  a \t b\n\n c  " })).toBe("a b c");
    expect(await runNode(T("CollapseWhitespace"), { text: "a  b\nc   d", preserve_newlines: true })).toBe("a b\nc d");
    expect(await runNode(T("CollapseWhitespace"), { text: " a  b ", replacement: "_", trim_edges: false })).toBe("_a_b_");
  });

  it("IsEmpty", async () => {
    expect(await runNode(T("IsEmpty"), { text: "" })).toBe(true);
    expect(await runNode(T("IsEmpty"), { text: " \n " })).toBe(true);
    expect(await runNode(T("IsEmpty"), { text: " ", trim_whitespace: false })).toBe(false);
    expect(await runNode(T("IsEmpty"), { text: "x" })).toBe(false);
  });

  it("RemovePunctuation removes string.punctuation or given characters", async () => {
    expect(await runNode(T("RemovePunctuation"), { text: "Hi, there! (ok?) — fine…" })).toBe("Hi there ok — fine…");
    expect(await runNode(T("RemovePunctuation"), { text: "a.b,c", replacement: " ", punctuation: "." })).toBe("a b,c");
  });

  it("StripAccents", async () => {
    expect(await runNode(T("StripAccents"), { text: "Crème brûlée, Ångström, 東京" })).toBe("Creme brulee, Angstrom, 東京");
    expect(await runNode(T("StripAccents"), { text: "Crème 東京", preserve_non_ascii: false })).toBe("Creme ");
  });

  it("Slugify", async () => {
    expect(await runNode(T("Slugify"), { text: "  Hello, Wörld! Ça va?  " })).toBe("hello-world-ca-va");
    expect(await runNode(T("Slugify"), { text: "My_Title  Here", separator: "_", lowercase: false })).toBe("My_Title_Here");
    expect(await runNode(T("Slugify"), { text: "Über 東京", allow_unicode: true })).toBe("uber-東京");
    expect(await runNode(T("Slugify"), { text: "" })).toBe("");
  });

  it("SurroundWith skips already wrapped text by default", async () => {
    expect(await runNode(T("SurroundWith"), { text: "x", prefix: '"', suffix: '"' })).toBe('"x"');
    expect(await runNode(T("SurroundWith"), { text: '"x"', prefix: '"', suffix: '"' })).toBe('"x"');
    expect(await runNode(T("SurroundWith"), { text: '"x"', prefix: '"', suffix: '"', skip_if_wrapped: false })).toBe('""x""');
  });

  it("HtmlToText strips tags, scripts and entities, keeping blocks and line breaks", async () => {
    const html = "<html><head><title>T</title><style>p{}</style></head><body><h1>Title</h1><p>One &amp; two<br>three&nbsp;&lt;4&gt;</p>" +
      "<ul><li>a</li><li>b</li></ul><script>alert(1)</script><img src='x.png' alt='pic'>&#233;</body></html>";
    expect(await runNode(T("HtmlToText"), { html })).toBe("Title\n\nOne & two\nthree <4>\n\n* a\n* b\n\né");
    expect(await runNode(T("HtmlToText"), { html: "<p>x <img alt='pic'></p>", ignore_images: false })).toBe("x pic");
    expect(await runNode(T("HtmlToText"), { html: "" })).toBe("");
  });
});

describe("length, slicing and positions", () => {
  it("Length counts characters (code points), words and lines", async () => {
    expect(await runNode(T("Length"), { text: "héllo 🎉" })).toBe(7);
    expect(await runNode(T("Length"), { text: "  one two\tthree \n four ", measure: "words" })).toBe(4);
    expect(await runNode(T("Length"), { text: "a\nb\r\nc\n", measure: "lines" })).toBe(3);
    expect(await runNode(T("Length"), { text: "a\n\nb", measure: "Measure.LINES" })).toBe(3);
    expect(await runNode(T("Length"), { text: "a\n\nb", measure: "lines", trim_whitespace: true })).toBe(2);
    expect(await runNode(T("Length"), { text: "", measure: "lines" })).toBe(0);
    expect(await runNode(T("Length"), { text: "  ab  ", trim_whitespace: true })).toBe(2);
  });

  it("HasLength checks bounds (0 = not set)", async () => {
    expect(await runNode(T("HasLength"), { text: "hello", min_length: 3, max_length: 5 })).toBe(true);
    expect(await runNode(T("HasLength"), { text: "hello", max_length: 4 })).toBe(false);
    expect(await runNode(T("HasLength"), { text: "hi", min_length: 3 })).toBe(false);
    expect(await runNode(T("HasLength"), { text: "hello", exact_length: 5, max_length: 1 })).toBe(true);
    expect(await runNode(T("HasLength"), { text: "🎉🎉", exact_length: 2 })).toBe(true);
    expect(await runNode(T("HasLength"), { text: "" })).toBe(true);
  });

  it("Slice uses Python slice semantics, stop 0 meaning the end", async () => {
    expect(await runNode(T("Slice"), { text: "Hello World", start: 0, stop: 5 })).toBe("Hello");
    expect(await runNode(T("Slice"), { text: "Hello World", start: -5 })).toBe("World");
    expect(await runNode(T("Slice"), { text: "abcdef", step: 2 })).toBe("ace");
    expect(await runNode(T("Slice"), { text: "abc🎉", step: -1 })).toBe("🎉cba");
    expect(await runNode(T("Slice"), { text: "abcdef", start: 1, stop: -1 })).toBe("bcde");
    expect(await runNode(T("Slice"), { text: "" })).toBe("");
    expect(await runNodeError(T("Slice"), { text: "abc", step: 0 })).toMatch(/slice step cannot be zero/);
  });

  it("Extract takes start..end (end 0 = to the end)", async () => {
    expect(await runNode(T("Extract"), { text: "Hello World", start: 6, end: 11 })).toBe("World");
    expect(await runNode(T("Extract"), { text: "Hello World", start: 6 })).toBe("World");
    expect(await runNode(T("Extract"), { text: "é🎉x", start: 1, end: 2 })).toBe("🎉");
  });

  it("TruncateText", async () => {
    expect(await runNode(T("TruncateText"), { text: "Hello World", max_length: 5 })).toBe("Hello");
    expect(await runNode(T("TruncateText"), { text: "Hello World", max_length: 8, ellipsis: "..." })).toBe("Hello...");
    expect(await runNode(T("TruncateText"), { text: "short", max_length: 10, ellipsis: "..." })).toBe("short");
    expect(await runNode(T("TruncateText"), { text: "abc", max_length: 0, ellipsis: "…" })).toBe("…");
    expect(await runNode(T("TruncateText"), { text: "🎉🎉🎉", max_length: 2 })).toBe("🎉🎉");
  });

  it("PadText pads left, right or both", async () => {
    expect(await runNode(T("PadText"), { text: "7", length: 3, pad_character: "0", direction: "left" })).toBe("007");
    expect(await runNode(T("PadText"), { text: "ab", length: 5 })).toBe("ab   ");
    expect(await runNode(T("PadText"), { text: "ab", length: 7, pad_character: "*", direction: "PadDirection.BOTH" })).toBe("**ab***");
    expect(await runNode(T("PadText"), { text: "long", length: 2 })).toBe("long");
    expect(await runNodeError(T("PadText"), { text: "x", length: 3, pad_character: "ab" })).toMatch(/pad_character must be a single character/);
  });

  it("IndexOf finds first or last occurrence within bounds", async () => {
    expect(await runNode(T("IndexOf"), { text: "banana", substring: "an" })).toBe(1);
    expect(await runNode(T("IndexOf"), { text: "banana", substring: "an", search_from_end: true })).toBe(3);
    expect(await runNode(T("IndexOf"), { text: "banana", substring: "an", start_index: 2 })).toBe(3);
    expect(await runNode(T("IndexOf"), { text: "banana", substring: "an", end_index: 3 })).toBe(1);
    expect(await runNode(T("IndexOf"), { text: "banana", substring: "na", end_index: 3 })).toBe(-1);
    expect(await runNode(T("IndexOf"), { text: "BaNaNa", substring: "nA", case_sensitive: false })).toBe(2);
    expect(await runNode(T("IndexOf"), { text: "🎉x🎉y", substring: "y" })).toBe(3);
    expect(await runNode(T("IndexOf"), { text: "abc", substring: "z" })).toBe(-1);
  });

  it("Chunk splits into chunks of `length` words with `overlap`", async () => {
    const text = "The keeper climbed the stair each evening. The lamp needed winding twice a night.";
    expect(await runNode(T("Chunk"), { text, length: 6, overlap: 2 })).toEqual([
      "The keeper climbed the stair each",
      "stair each evening. The lamp needed",
      "lamp needed winding twice a night.",
      "a night.",
    ]);
    expect(await runNode(T("Chunk"), { text: "a,b,c,d,e", length: 2, separator: "," })).toEqual(["a b", "c d", "e"]);
    expect(await runNode(T("Chunk"), { text: "" })).toEqual([""]);
    expect(await runNodeError(T("Chunk"), { text: "a b", length: 2, overlap: 2 })).toMatch(/overlap/);
  });
});

describe("regex nodes", () => {
  it("FindAllRegex returns every match (NodeTool's 'Find Every Number in a Sentence')", async () => {
    expect(await runNode(T("FindAllRegex"), { text: "Revenue rose from 12 to 47 across 3 regions.", regex: "\\d+" })).toEqual(["12", "47", "3"]);
    expect(await runNode(T("FindAllRegex"), { text: "Cat cat CAT", regex: "cat", ignorecase: true })).toEqual(["Cat", "cat", "CAT"]);
    expect(await runNode(T("FindAllRegex"), { text: "a1\nb2", regex: "^\\w", multiline: true })).toEqual(["a", "b"]);
    expect(await runNode(T("FindAllRegex"), { text: "a\nb", regex: "a.b" })).toEqual([]);
    expect(await runNode(T("FindAllRegex"), { text: "a\nb", regex: "a.b", dotall: true })).toEqual(["a\nb"]);
    expect(await runNode(T("FindAllRegex"), { text: "", regex: "x" })).toEqual([]);
  });

  it("ExtractRegex returns the groups of the first match, with Python named groups", async () => {
    expect(await runNode(T("ExtractRegex"), { text: "on 2024-03-15 and 2025-01-01", regex: "(?P<y>\\d{4})-(\\d{2})-(\\d{2})" })).toEqual(["2024", "03", "15"]);
    // A backreference needs backtracking: it runs only in the code sandbox (test/engine/regex-safe.test.ts), and
    // this bare run has none, so it is refused by name rather than run unbounded.
    expect(await runNodeError(T("ExtractRegex"), { text: "abab", regex: "(?P<x>ab)(?P=x)" })).toMatch(/named backreference \(\(\?P=name\)\).*no code sandbox/);
    expect(await runNode(T("ExtractRegex"), { text: "NAME: x", regex: "name: (\\w)", ignorecase: true })).toEqual(["x"]);
    expect(await runNode(T("ExtractRegex"), { text: "nothing", regex: "(\\d)" })).toEqual([]);
    expect(await runNode(T("ExtractRegex"), { text: "a", regex: "(a)(b)?" })).toEqual(["a", null]);
  });

  it("RegexMatch returns all matches or a chosen group", async () => {
    expect(await runNode(T("RegexMatch"), { text: "x=1, y=22", pattern: "(\\w)=(\\d+)" })).toEqual(["x=1", "y=22"]);
    expect(await runNode(T("RegexMatch"), { text: "x=1, y=22", pattern: "(\\w)=(\\d+)", group: 2 })).toEqual(["1", "22"]);
    expect(await runNodeError(T("RegexMatch"), { text: "x", pattern: "(x)", group: 3 })).toMatch(/pattern '\(x\)' has no group 3/);
  });

  it("RegexReplace supports Python and JavaScript group references and a count", async () => {
    expect(await runNode(T("RegexReplace"), { text: "2024-03-15", pattern: "(\\d+)-(\\d+)-(\\d+)", replacement: "\\3/\\2/\\1" })).toBe("15/03/2024");
    expect(await runNode(T("RegexReplace"), { text: "John Smith", pattern: "(?P<first>\\w+) (?P<last>\\w+)", replacement: "\\g<last>, \\g<first>" })).toBe(
      "Smith, John",
    );
    expect(await runNode(T("RegexReplace"), { text: "a1b2", pattern: "(\\d)", replacement: "[$1]" })).toBe("a[1]b[2]");
    expect(await runNode(T("RegexReplace"), { text: "aaa", pattern: "a", replacement: "b", count: 2 })).toBe("bba");
    expect(await runNode(T("RegexReplace"), { text: "price: 5", pattern: "\\d", replacement: "$$" })).toBe("price: $");
  });

  it("RegexSplit follows re.split, including captured groups and maxsplit", async () => {
    expect(await runNode(T("RegexSplit"), { text: "a1b22c", pattern: "\\d+" })).toEqual(["a", "b", "c"]);
    expect(await runNode(T("RegexSplit"), { text: "a, b;c", pattern: "[,;]\\s*", maxsplit: 1 })).toEqual(["a", "b;c"]);
    expect(await runNode(T("RegexSplit"), { text: "a-b", pattern: "(-)" })).toEqual(["a", "-", "b"]);
    expect(await runNode(T("RegexSplit"), { text: "", pattern: "," })).toEqual([""]);
  });

  it("RegexValidate matches at the start of the text like re.match", async () => {
    expect(await runNode(T("RegexValidate"), { text: "user@example.com", pattern: "[\\w.]+@[\\w.]+\\.\\w+$" })).toBe(true);
    expect(await runNode(T("RegexValidate"), { text: "abc123", pattern: "\\d+" })).toBe(false);
    expect(await runNode(T("RegexValidate"), { text: "123abc", pattern: "\\d+" })).toBe(true);
    expect(await runNode(T("RegexValidate"), { text: "ABC", pattern: "(?i)abc\\Z" })).toBe(true);
  });

  it("reports an invalid pattern by name", async () => {
    expect(await runNodeError(T("FindAllRegex"), { text: "x", regex: "(unclosed" })).toMatch(/invalid regular expression '\(unclosed'/);
    expect(await runNodeError(T("RegexReplace"), { text: "x", pattern: "[z-a]" })).toMatch(/invalid regular expression '\[z-a\]'/);
  });
});

describe("JSON nodes", () => {
  it("ParseJSON parses JSON text", async () => {
    expect(await runNode(T("ParseJSON"), { text: '{"a": [1, 2, {"b": null}], "c": true}' })).toEqual({ a: [1, 2, { b: null }], c: true });
    expect(await runNode(T("ParseJSON"), { text: "42" })).toBe(42);
    expect(await runNodeError(T("ParseJSON"), { text: "{bad" })).toMatch(/invalid JSON/);
  });

  it("ExtractJSON follows a JSONPath", async () => {
    const text = JSON.stringify({ store: { books: [{ title: "A", price: 8 }, { title: "B", price: 12 }], name: "S" } });
    expect(await runNode(T("ExtractJSON"), { text, json_path: "$.store.name" })).toBe("S");
    expect(await runNode(T("ExtractJSON"), { text, json_path: "$.store.books[1].title" })).toBe("B");
    expect(await runNode(T("ExtractJSON"), { text, json_path: "$.store.books[-1].price" })).toBe(12);
    expect(await runNode(T("ExtractJSON"), { text, json_path: "$.store.books[*].title", find_all: true })).toEqual(["A", "B"]);
    expect(await runNode(T("ExtractJSON"), { text, json_path: "$..price", find_all: true })).toEqual([8, 12]);
    expect(await runNode(T("ExtractJSON"), { text, json_path: "$.store['name']" })).toBe("S");
    expect(await runNode(T("ExtractJSON"), { text: '{"a": 1, "b": 2}' })).toBe(1);
    expect(await runNode(T("ExtractJSON"), { text: '{"a": 1, "b": 2}', find_all: true })).toEqual([1, 2]);
    expect(await runNode(T("ExtractJSON"), { text, json_path: "$", find_all: false })).toEqual(JSON.parse(text));
    expect(await runNode(T("ExtractJSON"), { text, json_path: "$.nope", find_all: true })).toEqual([]);
    expect(await runNodeError(T("ExtractJSON"), { text, json_path: "$.nope" })).toMatch(/JSONPath '\$\.nope' matched nothing/);
  });
});

describe("streaming text nodes", () => {
  it("Collect joins every streamed item once the stream ends", async () => {
    const r = await runStream(["a", "b", "c"], T("Collect"), { separator: ", " }, "input_item");
    expect(r.status).toBe("completed");
    expect(r.outputs.out).toEqual(["a, b, c"]);
  });

  it("Collect of an empty stream is an empty string", async () => {
    const r = await runStream([], T("Collect"), { separator: "-" }, "input_item");
    expect(r.outputs.out).toEqual([""]);
  });

  it("FilterString emits only items that pass", async () => {
    const items = ["apple", "banana", "cherry", "apricot", 42];
    const contains = await runStream(items, T("FilterString"), { filter_type: "contains", criteria: "an" }, "value");
    expect(contains.outputs.out).toEqual(["banana"]);
    const starts = await runStream(items, T("FilterString"), { filter_type: "FilterType.STARTS_WITH", criteria: "ap" }, "value");
    expect(starts.outputs.out).toEqual(["apple", "apricot"]);
    const longer = await runStream(items, T("FilterString"), { filter_type: "length_greater", criteria: "5" }, "value");
    expect(longer.outputs.out).toEqual(["banana", "cherry", "apricot"]);
    const badCriteria = await runStream(items, T("FilterString"), { filter_type: "exact_length", criteria: "five" }, "value");
    expect(badCriteria.outputs.out).toEqual([]);
  });

  it("FilterString waits for a connected criteria before filtering", async () => {
    const r = await runStream(["ab", "cd", "abc"], T("FilterString"), { filter_type: "ends_with", criteria: "zzz" }, "value", {
      nodes: [{ id: "crit", type: "test.Later", data: { value: "c" } }],
      edges: [["crit", "output", "n", "criteria"]],
    });
    expect(r.outputs.out).toEqual(["abc"]);
  });

  it("FilterRegexString searches or fully matches", async () => {
    const items = ["a1", "b22", "c", "333"];
    const search = await runStream(items, T("FilterRegexString"), { pattern: "\\d+" }, "value");
    expect(search.outputs.out).toEqual(["a1", "b22", "333"]);
    const full = await runStream(items, T("FilterRegexString"), { pattern: "\\d+", full_match: true }, "value");
    expect(full.outputs.out).toEqual(["333"]);
  });

  it("FilterRegexString fails on an invalid pattern", async () => {
    const r = await runStream(["x"], T("FilterRegexString"), { pattern: "(" }, "value");
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/invalid regular expression '\('/);
  });
});
