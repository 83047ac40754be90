import { DataframeError } from "./table";

/**
 * The expression language of pandas' `DataFrame.query`, which NodeTool's Filter and FindRow pass their
 * `condition` to (nodetool-base src/nodetool/nodes/nodetool/data.py): Python expressions over column names.
 * Supported: numbers, strings, True/False/None, list and tuple literals, column names (bare or in
 * backticks), `index`, arithmetic (+ - * / // % **), comparisons (chained, `in`, `not in`), `and`/`or`/`not`
 * and their `&`/`|`/`~` spellings (which pandas gives the same precedence), and a few Series methods
 * (`isna()`, `notna()`, `str.contains(...)` ...). Parsed here into a tree, never evaluated as code.
 */
export type Expr =
  | { k: "lit"; v: unknown }
  | { k: "name"; name: string }
  | { k: "list"; items: Expr[] }
  | { k: "unary"; op: "-" | "+" | "not"; arg: Expr }
  | { k: "bin"; op: "+" | "-" | "*" | "/" | "//" | "%" | "**"; l: Expr; r: Expr }
  | { k: "logic"; op: "and" | "or"; l: Expr; r: Expr }
  | { k: "cmp"; ops: CmpOp[]; operands: Expr[] }
  | { k: "call"; target: Expr; path: string[]; args: Expr[] };

export type CmpOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in";

export const MAX_QUERY_CHARS = 10_000;
const MAX_DEPTH = 64;

type Token = { t: "num"; v: number } | { t: "str"; v: string } | { t: "id"; v: string } | { t: "col"; v: string } | { t: "op"; v: string } | { t: "end" };

const OPERATORS = ["**", "//", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", ",", ".", "&", "|", "~"];
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0" };

function fail(message: string): never {
  throw new DataframeError(`invalid condition: ${message}`);
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)/.exec(src.slice(i, i + 64));
    if (num) {
      tokens.push({ t: "num", v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let text = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\" && j + 1 < src.length) {
          text += ESCAPES[src[j + 1]] ?? `\\${src[j + 1]}`;
          j += 2;
        } else text += src[j++];
      }
      if (j >= src.length) fail(`unterminated string starting at position ${i}`);
      tokens.push({ t: "str", v: text });
      i = j + 1;
      continue;
    }
    if (c === "`") {
      const end = src.indexOf("`", i + 1);
      if (end < 0) fail(`unterminated backtick name starting at position ${i}`);
      tokens.push({ t: "col", v: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 256));
    if (id) {
      tokens.push({ t: "id", v: id[0] });
      i += id[0].length;
      continue;
    }
    if (c === "@") fail("local variables (@name) are not available here");
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) fail(`unexpected character '${c}' at position ${i}`);
    tokens.push({ t: "op", v: op });
    i += op.length;
  }
  tokens.push({ t: "end" });
  return tokens;
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos];
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === "op" && t.v === v;
  }
  private isWord(v: string): boolean {
    const t = this.peek();
    return t.t === "id" && t.v === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) fail(`expected '${v}' but found ${this.describe(this.peek())}`);
    this.pos++;
  }
  private describe(t: Token): string {
    if (t.t === "end") return "the end of the condition";
    if (t.t === "str") return `'${t.v}'`;
    return `'${String(t.v)}'`;
  }

  parse(): Expr {
    const e = this.expr();
    if (this.peek().t !== "end") fail(`unexpected ${this.describe(this.peek())}`);
    return e;
  }

  private nest<T>(fn: () => T): T {
    if (++this.depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`);
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private expr(): Expr {
    return this.nest(() => this.or());
  }

  private or(): Expr {
    let l = this.and();
    while (this.isWord("or") || this.isOp("|")) {
      this.pos++;
      l = { k: "logic", op: "or", l, r: this.and() };
    }
    return l;
  }

  private and(): Expr {
    let l = this.not();
    while (this.isWord("and") || this.isOp("&")) {
      this.pos++;
      l = { k: "logic", op: "and", l, r: this.not() };
    }
    return l;
  }

  private not(): Expr {
    if (this.isWord("not") || this.isOp("~")) {
      this.pos++;
      return this.nest(() => ({ k: "unary", op: "not", arg: this.not() }) as Expr);
    }
    return this.comparison();
  }

  private cmpOp(): CmpOp | null {
    const t = this.peek();
    if (t.t === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(t.v)) {
      this.pos++;
      return t.v as CmpOp;
    }
    if (this.isWord("in")) {
      this.pos++;
      return "in";
    }
    if (this.isWord("not") && this.tokens[this.pos + 1]?.t === "id" && (this.tokens[this.pos + 1] as { v: string }).v === "in") {
      this.pos += 2;
      return "not in";
    }
    return null;
  }

  private comparison(): Expr {
    const first = this.arith();
    const ops: CmpOp[] = [];
    const operands = [first];
    for (let op = this.cmpOp(); op; op = this.cmpOp()) {
      ops.push(op);
      operands.push(this.arith());
    }
    return ops.length === 0 ? first : { k: "cmp", ops, operands };
  }

  private arith(): Expr {
    let l = this.term();
    while (this.isOp("+") || this.isOp("-")) {
      const op = (this.tokens[this.pos++] as { v: "+" | "-" }).v;
      l = { k: "bin", op, l, r: this.term() };
    }
    return l;
  }

  private term(): Expr {
    let l = this.factor();
    while (this.isOp("*") || this.isOp("/") || this.isOp("//") || this.isOp("%")) {
      const op = (this.tokens[this.pos++] as { v: "*" | "/" | "//" | "%" }).v;
      l = { k: "bin", op, l, r: this.factor() };
    }
    return l;
  }

  private factor(): Expr {
    if (this.isOp("-") || this.isOp("+")) {
      const op = (this.tokens[this.pos++] as { v: "-" | "+" }).v;
      return this.nest(() => ({ k: "unary", op, arg: this.factor() }) as Expr);
    }
    const base = this.postfix();
    if (this.isOp("**")) {
      this.pos++;
      return { k: "bin", op: "**", l: base, r: this.nest(() => this.factor()) };
    }
    return base;
  }

  private postfix(): Expr {
    let e = this.primary();
    while (this.isOp(".")) {
      const path: string[] = [];
      while (this.isOp(".")) {
        this.pos++;
        const t = this.peek();
        if (t.t !== "id") fail(`expected a method name after '.' but found ${this.describe(t)}`);
        path.push(t.v);
        this.pos++;
      }
      if (!this.isOp("(")) fail(`attribute '${path.join(".")}' must be called, e.g. ${path.join(".")}()`);
      this.pos++;
      const args: Expr[] = [];
      while (!this.isOp(")")) {
        args.push(this.expr());
        if (!this.isOp(")")) this.expectOp(",");
      }
      this.pos++;
      e = { k: "call", target: e, path, args };
    }
    return e;
  }

  private sequence(close: string): Expr[] {
    const items: Expr[] = [];
    while (!this.isOp(close)) {
      items.push(this.expr());
      if (!this.isOp(close)) this.expectOp(",");
    }
    this.pos++;
    return items;
  }

  private primary(): Expr {
    const t = this.peek();
    this.pos++;
    switch (t.t) {
      case "num":
      case "str":
        return { k: "lit", v: t.v };
      case "col":
        return { k: "name", name: t.v };
      case "id":
        if (t.v === "True") return { k: "lit", v: true };
        if (t.v === "False") return { k: "lit", v: false };
        if (t.v === "None") return { k: "lit", v: null };
        if (["and", "or", "not", "in", "is", "lambda", "if", "else"].includes(t.v)) fail(`unexpected '${t.v}'`);
        return { k: "name", name: t.v };
      case "op":
        if (t.v === "(") {
          return this.nest(() => {
            if (this.isOp(")")) {
              this.pos++;
              return { k: "list", items: [] } as Expr;
            }
            const first = this.expr();
            if (this.isOp(")")) {
              this.pos++;
              return first;
            }
            this.expectOp(",");
            return { k: "list", items: [first, ...this.sequence(")")] } as Expr;
          });
        }
        if (t.v === "[") return this.nest(() => ({ k: "list", items: this.sequence("]") }) as Expr);
        return fail(`unexpected '${t.v}'`);
      case "end":
        return fail("the condition ends too early");
    }
  }
}

/** Parses a query condition into an expression tree; errors name the problem and where. */
export function parseQuery(condition: string): Expr {
  if (condition.length > MAX_QUERY_CHARS) fail(`it has ${condition.length} characters (limit ${MAX_QUERY_CHARS})`);
  return new Parser(tokenize(condition)).parse();
}
