import { describe, expect, it } from "vitest";
import { checkTemplate, renderTemplate, TemplateError } from "../../engine/template/index";

const r = (src: string, vars: Record<string, unknown> = {}, singleBrace = false) => renderTemplate(src, vars, { singleBrace });

describe("template: variables and values", () => {
  it("substitutes variables, with or without spaces inside the braces", () => {
    expect(r("Hello, {{ name }}! {{name}}.", { name: "Ada" })).toBe("Hello, Ada! Ada.");
  });

  it("renders undefined variables, null and missing attributes as empty strings", () => {
    expect(r("[{{ nope }}][{{ nul }}][{{ user.missing }}][{{ nope.deeper.still }}][{{ items[5] }}]", { nul: null, user: {}, items: [] })).toBe(
      "[][][][][]",
    );
  });

  it("renders values as JavaScript strings", () => {
    expect(r("{{ t }} {{ f }} {{ n }} {{ x }} {{ l }} {{ d }}", { t: true, f: false, n: 3, x: 2.5, l: ["a", 1], d: { k: "v" } })).toBe(
      'true false 3 2.5 ["a",1] {"k":"v"}',
    );
  });

  it("reads attributes, keys and indexes, including negative indexes and slices", () => {
    const vars = { user: { name: "Bo", tags: ["x", "y", "z"] }, items: [10, 20, 30], s: "héllo" };
    expect(r("{{ user.name }} {{ user['name'] }} {{ items[0] }} {{ items.1 }} {{ items[-1] }}", vars)).toBe("Bo Bo 10 20 30");
    expect(r("{{ user.tags[1:] }} {{ s[1:3] }} {{ s[::-1] }}", vars)).toBe('["y","z"] él olléh');
  });

  it("matches variable names case-insensitively as NodeTool's Jinja nodes did", () => {
    expect(r("{{ Name }} {{ NAME }}", { name: "lower" })).toBe("lower lower");
  });

  it("addresses variables whose names are not identifiers by their exact name", () => {
    expect(r("{{ first name }} / {{ my-var }}", { "first name": "Ann", "my-var": 7 })).toBe("Ann / 7");
  });

  it("substitutes {name} only for known variables when single-brace mode is on", () => {
    expect(r("{name} {other} {{ name }}", { name: "x" }, true)).toBe("x {other} x");
    expect(r("{name}", { name: "x" }, false)).toBe("{name}");
    expect(r('{"json": {{ n }}}', { n: 1 }, true)).toBe('{"json": 1}');
  });

  it("keeps literal text, unicode and newlines intact", () => {
    expect(r("Subject: {{ s }}\n\nWrite one — ünïcödé 🎉\n", { s: "x" })).toBe("Subject: x\n\nWrite one — ünïcödé 🎉\n");
    expect(r("")).toBe("");
  });
});

describe("template: filters", () => {
  it("changes case", () => {
    expect(r("{{ s|upper }}|{{ s|lower }}|{{ s|title }}|{{ s|capitalize }}", { s: "hELLO wORLD-x" })).toBe(
      "HELLO WORLD-X|hello world-x|Hello World-X|Hello world-x",
    );
  });

  it("trims, measures and defaults", () => {
    expect(r("[{{ s|trim }}] {{ s|length }} {{ l|length }} {{ d|length }} {{ u|length }}", { s: "  ab  ", l: [1, 2, 3], d: { a: 1 } })).toBe(
      "[ab] 6 3 1 0",
    );
    expect(r("{{ u|default('x') }} {{ e|default('x') }} {{ e|default('x', true) }} {{ u|d('y') }} {{ n|default('none') }}", { e: "", n: null })).toBe(
      "x  x y none",
    );
    expect(r("{{ '🎉é'|length }}")).toBe("2");
  });

  it("joins, replaces and truncates with arguments", () => {
    expect(r("{{ l|join(', ') }}|{{ l|join }}|{{ s|replace('a', 'o') }}|{{ s|replace('a', 'o', 1) }}", { l: ["a", "b", 3], s: "banana" })).toBe(
      "a, b, 3|ab3|bonono|bonana",
    );
    // Jinja: leeway 5, cut at a word boundary, '...' appended.
    expect(r("{{ s|truncate(10) }}", { s: "Hello World Foo Bar" })).toBe("Hello...");
    expect(r("{{ s|truncate(10) }}", { s: "Hello World Foo" })).toBe("Hello World Foo");
    expect(r("{{ s|truncate(9, true, '…', 0) }}", { s: "abcdefghijkl" })).toBe("abcdefgh…");
  });

  it("picks first and last, sorts, reverses and dedupes", () => {
    const vars = { l: ["b", "a", "C", "a"], n: [3, 1, 2], s: "abc" };
    expect(r("{{ l|first }} {{ l|last }} {{ s|first }} {{ s|last }} {{ e|first }}", { ...vars, e: [] })).toBe("b a a c ");
    expect(r("{{ l|sort|join }} {{ n|sort(reverse=true)|join }} {{ l|sort(case_sensitive=true)|join }}", vars)).toBe("aabC 321 Caab");
    expect(r("{{ l|reverse|join }} {{ s|reverse }} {{ l|unique|join }}", vars)).toBe("aCab cba baC");
  });

  it("converts numbers", () => {
    // Jinja's round is Python's: ties go to the even neighbour, on the exact binary value (2.675 is 2.67499...).
    expect(r("{{ 3.14159|round(2) }} {{ 2.5|round }} {{ 3.5|round }} {{ -2.5|round }} {{ 0.125|round(2) }} {{ 2.675|round(2) }}")).toBe(
      "3.14 2 4 -2 0.12 2.67",
    );
    expect(r("{{ 2.1|round(0, 'ceil') }} {{ 2.9|round(0, 'floor') }} {{ 1234|round(-2) }} {{ -3|abs }} {{ -0.4|round }}")).toBe("3 2 1200 3 0");
    expect(r("{{ '42'|int + 1 }} {{ '4.7'|int }} {{ 'x'|int }} {{ 'x'|int(5) }} {{ '1.5'|float * 2 }} {{ 'y'|float }}")).toBe("43 4 0 5 3 0");
  });

  it("converts to string, list and JSON", () => {
    expect(r("{{ (1|string) ~ 'x' }} {{ 'ab'|list }} {{ d|tojson }} {{ d|to_json }}", { d: { a: [1, true, null] } })).toBe(
      '1x ["a","b"] {"a":[1,true,null]} {"a":[1,true,null]}',
    );
    expect(r("{{ d|tojson(2) }}", { d: { a: 1 } })).toBe('{\n  "a": 1\n}');
  });

  it("supports map, select, sum, min, max, dictsort and chained filters", () => {
    const vars = { users: [{ n: "ann", age: 30 }, { n: "bob", age: 20 }], nums: [1, 2, 3, 4], d: { b: 2, a: 1 } };
    expect(r("{{ users|map(attribute='n')|map('upper')|join(',') }}", vars)).toBe("ANN,BOB");
    expect(r("{{ nums|select('odd')|join }} {{ nums|reject('odd')|join }} {{ nums|sum }} {{ nums|max }} {{ nums|min }}", vars)).toBe("13 24 10 4 1");
    expect(r("{{ users|selectattr('age', 'gt', 25)|map(attribute='n')|join }}", vars)).toBe("ann");
    expect(r("{% for k, v in d|dictsort %}{{ k }}{{ v }}{% endfor %}", vars)).toBe("a1b2");
  });
});

describe("template: statements", () => {
  it("renders if / elif / else", () => {
    const t = "{% if n > 10 %}big{% elif n > 1 %}mid{% else %}small{% endif %}";
    expect(r(t, { n: 11 })).toBe("big");
    expect(r(t, { n: 5 })).toBe("mid");
    expect(r(t, { n: 0 })).toBe("small");
  });

  it("uses Python truthiness in conditions", () => {
    const t = "{% if v %}yes{% else %}no{% endif %}";
    expect([[], {}, "", 0, null, undefined, false].map((v) => r(t, { v }))).toEqual(["no", "no", "no", "no", "no", "no", "no"]);
    expect([[0], { a: 1 }, "x", 1, true].map((v) => r(t, { v }))).toEqual(["yes", "yes", "yes", "yes", "yes"]);
    expect(r("{% if missing is defined %}d{% else %}u{% endif %}{% if x is not none %}!{% endif %}", { x: 1 })).toBe("u!");
  });

  it("renders for loops with loop variables, else, unpacking and a filter condition", () => {
    expect(r("{% for x in xs %}{{ loop.index }}:{{ x }}{% if not loop.last %}, {% endif %}{% endfor %}", { xs: ["a", "b", "c"] })).toBe(
      "1:a, 2:b, 3:c",
    );
    expect(r("{% for x in xs %}{{ x }}{% else %}empty{% endfor %}", { xs: [] })).toBe("empty");
    expect(r("{% for x in missing %}{{ x }}{% else %}empty{% endfor %}")).toBe("empty");
    expect(r("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", { d: { a: 1, b: true } })).toBe("a=1;b=true;");
    expect(r("{% for x in range(10) if x is even %}{{ x }}/{{ loop.length }} {% endfor %}")).toBe("0/5 2/5 4/5 6/5 8/5 ");
    expect(r("{% for row in rows %}{% for c in row %}{{ c }}{% endfor %};{% endfor %}", { rows: [[1, 2], [3]] })).toBe("12;3;");
    expect(r("{% for i in range(3) %}{{ loop.cycle('a', 'b') }}{% endfor %}")).toBe("aba");
  });

  it("scopes loop variables and set inside loops, and supports namespace()", () => {
    expect(r("{% set x = 1 %}{% for i in [5] %}{% set x = i %}{% endfor %}{{ x }}")).toBe("1");
    expect(r("{% set ns = namespace(total=0) %}{% for i in [1, 2, 3] %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}")).toBe("6");
    expect(r("{% set a, b = [1, 2] %}{{ b }}{{ a }}")).toBe("21");
    expect(r("{% set block %}Hi {{ n }}{% endset %}{{ block|upper }}", { n: "x" })).toBe("HI X");
    expect(r("{% filter upper %}abc {{ n }}{% endfilter %}", { n: "d" })).toBe("ABC D");
  });

  it("evaluates expressions with Python semantics", () => {
    expect(r("{{ 7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ -2 ** 2 }}")).toBe("3 2 3.5 1024 7 9 4");
    expect(r("{{ 'a' ~ 1 ~ true }} {{ 'ab' * 2 }} {{ [1] + [2] }} {{ 'x' if n > 1 else 'y' }} {{ n or 'z' }} {{ 0 or 'z' }} {{ 1 and 2 }}", { n: 2 })).toBe(
      'a1true abab [1,2] x 2 z 2',
    );
    expect(r("{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in d }} {{ 3 not in [1] }} {{ 1 < n < 3 }} {{ [1, 2] == [1, 2] }}", { n: 2, d: { k: 1 } })).toBe(
      "true true true true true true",
    );
    expect(r("{{ s.upper() }} {{ s.split(',')|length }} {{ s.replace(',', ';') }} {{ d.get('z', 'dflt') }} {{ d.keys()|list }}", { s: "a,b", d: { k: 1 } })).toBe(
      'A,B 2 a;b dflt ["k"]',
    );
  });

  it("honours comments, raw blocks and whitespace control", () => {
    expect(r("a{# hidden #}b")).toBe("ab");
    expect(r("{% raw %}{{ kept }}{% endraw %}")).toBe("{{ kept }}");
    expect(r("x  {{- ' y ' -}}  z")).toBe("x y z");
    expect(r("<ul>\n  {%- for i in [1, 2] %}\n  <li>{{ i }}</li>\n  {%- endfor %}\n</ul>")).toBe("<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>");
  });
});

describe("template: errors", () => {
  const bad: [string, RegExp][] = [
    ["{{ x", /unclosed '\{\{'/],
    ["{% if x %}open", /missing '\{% endif %}' for 'if' opened at line 1/],
    ["{{ x|nope }}", /unknown filter 'nope'/],
    ["{% endfor %}", /unexpected '\{% endfor %}'/],
    ["line1\n{{ 1 + }}", /at line 2/],
    ["{% frobnicate %}", /unknown tag 'frobnicate'/],
    ["{{ missing + 1 }}", /'missing' is undefined/],
    ["{{ 1 / 0 }}", /division by zero/],
    ["{{ 'a' < 1 }}", /cannot compare str with int/],
    ["{% for i in range(1000000) %}{% endfor %}", /range\(\) is limited/],
  ];
  for (const [src, message] of bad) {
    it(`rejects ${JSON.stringify(src)}`, () => {
      expect(() => r(src)).toThrow(TemplateError);
      expect(() => r(src)).toThrow(message);
    });
  }

  it("checks syntax without rendering", () => {
    expect(() => checkTemplate("{% if %}")).toThrow(TemplateError);
    expect(() => checkTemplate("{% for x in xs %}{{ x }}{% endfor %}")).not.toThrow();
  });
});
