/**
 * Parses template segments into a tree: expressions with Jinja's precedence (conditional, or, and, not,
 * comparisons, `~`, arithmetic, unary, postfix, filters and tests) and the statements `if`/`elif`/`else`,
 * `for ... in ... [if ...]`/`else`, `set` (inline and block) and `filter` blocks.
 */
import { segment, tokenize, type Token } from "./lexer";
import { FILTERS, TESTS } from "./filters";
import { TemplateError } from "./runtime";

export type Expr =
  | { k: "lit"; value: unknown }
  | { k: "name"; name: string }
  | { k: "list"; items: Expr[] }
  | { k: "dict"; entries: [Expr, Expr][] }
  | { k: "attr"; obj: Expr; name: string }
  | { k: "item"; obj: Expr; key: Expr }
  | { k: "slice"; obj: Expr; start: Expr | null; stop: Expr | null; step: Expr | null }
  | { k: "call"; fn: Expr; args: Expr[]; kwargs: [string, Expr][] }
  | { k: "filter"; name: string; value: Expr; args: Expr[]; kwargs: [string, Expr][] }
  | { k: "test"; name: string; value: Expr; args: Expr[]; negated: boolean }
  | { k: "neg" | "pos" | "not"; operand: Expr }
  | { k: "bin"; op: string; left: Expr; right: Expr }
  | { k: "and" | "or"; left: Expr; right: Expr }
  | { k: "cmp"; first: Expr; rest: [string, Expr][] }
  | { k: "cond"; test: Expr; then: Expr; otherwise: Expr | null };

export type SetTarget = { k: "names"; names: string[] } | { k: "attr"; name: string; attr: string };

export interface FilterCall {
  name: string;
  args: Expr[];
  kwargs: [string, Expr][];
}

export type Node =
  | { k: "text"; value: string }
  | { k: "out"; expr: Expr; source: string; line: number }
  /** `{{ first name }}`: not an expression, but maybe a variable whose name is not an identifier. */
  | { k: "outraw"; source: string; error: string }
  | { k: "if"; branches: { test: Expr; body: Node[] }[]; otherwise: Node[] | null }
  | { k: "for"; targets: string[]; iter: Expr; cond: Expr | null; body: Node[]; otherwise: Node[] | null; line: number }
  | { k: "set"; target: SetTarget; value: Expr }
  | { k: "setblock"; target: SetTarget; filters: FilterCall[]; body: Node[] }
  | { k: "filterblock"; filters: FilterCall[]; body: Node[] };

const RESERVED = new Set(["and", "or", "not", "in", "is", "if", "else"]);

class ExprParser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly line: number,
  ) {}

  private get cur(): Token {
    return this.tokens[this.pos];
  }
  private peek(n = 1): Token {
    return this.tokens[Math.min(this.pos + n, this.tokens.length - 1)];
  }
  private next(): Token {
    const t = this.tokens[this.pos];
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  private isOp(v: string): boolean {
    return this.cur.type === "op" && this.cur.value === v;
  }
  isName(v: string): boolean {
    return this.cur.type === "name" && this.cur.value === v;
  }
  fail(message: string): never {
    throw new TemplateError(`${message} at line ${this.line}`);
  }
  private describe(t: Token): string {
    return t.type === "end" ? "end of tag" : `'${t.value}'`;
  }
  expectOp(v: string): void {
    if (!this.isOp(v)) this.fail(`expected '${v}' but found ${this.describe(this.cur)}`);
    this.next();
  }
  expectName(v?: string): string {
    const t = this.cur;
    if (t.type !== "name" || (v !== undefined && t.value !== v)) {
      this.fail(v ? `expected '${v}' but found ${this.describe(t)}` : `expected a name but found ${this.describe(t)}`);
    }
    this.next();
    return t.value;
  }
  atEnd(): boolean {
    return this.cur.type === "end";
  }
  expectEnd(): void {
    if (!this.atEnd()) this.fail(`unexpected ${this.describe(this.cur)}`);
  }
  skipName(v: string): boolean {
    if (this.isName(v)) {
      this.next();
      return true;
    }
    return false;
  }

  /** A full expression, including `a if b else c`. */
  expression(withCondition = true): Expr {
    const e = this.or();
    if (withCondition && this.isName("if")) {
      this.next();
      const test = this.or();
      let otherwise: Expr | null = null;
      if (this.skipName("else")) otherwise = this.expression();
      // biome-ignore lint/suspicious/noThenProperty: an AST node, never awaited
      return { k: "cond", test, then: e, otherwise };
    }
    return e;
  }

  private or(): Expr {
    let left = this.and();
    while (this.skipName("or")) left = { k: "or", left, right: this.and() };
    return left;
  }
  private and(): Expr {
    let left = this.not();
    while (this.skipName("and")) left = { k: "and", left, right: this.not() };
    return left;
  }
  private not(): Expr {
    if (this.isName("not")) {
      this.next();
      return { k: "not", operand: this.not() };
    }
    return this.compare();
  }
  private compare(): Expr {
    const first = this.concat();
    const rest: [string, Expr][] = [];
    for (;;) {
      const t = this.cur;
      if (t.type === "op" && ["==", "!=", "<", ">", "<=", ">="].includes(t.value)) {
        this.next();
        rest.push([t.value, this.concat()]);
      } else if (this.isName("in")) {
        this.next();
        rest.push(["in", this.concat()]);
      } else if (this.isName("not") && this.peek().type === "name" && this.peek().value === "in") {
        this.next();
        this.next();
        rest.push(["notin", this.concat()]);
      } else break;
    }
    return rest.length ? { k: "cmp", first, rest } : first;
  }
  private concat(): Expr {
    let left = this.add();
    while (this.isOp("~")) {
      this.next();
      left = { k: "bin", op: "~", left, right: this.add() };
    }
    return left;
  }
  private add(): Expr {
    let left = this.mul();
    while (this.isOp("+") || this.isOp("-")) {
      const op = this.next().value;
      left = { k: "bin", op, left, right: this.mul() };
    }
    return left;
  }
  private mul(): Expr {
    let left = this.pow();
    while (this.isOp("*") || this.isOp("/") || this.isOp("//") || this.isOp("%")) {
      const op = this.next().value;
      left = { k: "bin", op, left, right: this.pow() };
    }
    return left;
  }
  private pow(): Expr {
    let left = this.unary(true);
    while (this.isOp("**")) {
      this.next();
      left = { k: "bin", op: "**", left, right: this.unary(true) };
    }
    return left;
  }
  private unary(withFilter: boolean): Expr {
    let e: Expr;
    if (this.isOp("-")) {
      this.next();
      e = { k: "neg", operand: this.unary(false) };
    } else if (this.isOp("+")) {
      this.next();
      e = { k: "pos", operand: this.unary(false) };
    } else {
      e = this.primary();
    }
    e = this.postfix(e);
    return withFilter ? this.filters(e) : e;
  }

  private primary(): Expr {
    const t = this.next();
    if (t.type === "string") {
      let value = t.literal as string;
      // Adjacent string literals concatenate, as in Python.
      while (this.cur.type === "string") value += this.next().literal as string;
      return { k: "lit", value };
    }
    if (t.type === "number") return { k: "lit", value: t.literal };
    if (t.type === "name") {
      switch (t.value) {
        case "true":
        case "True":
          return { k: "lit", value: true };
        case "false":
        case "False":
          return { k: "lit", value: false };
        case "none":
        case "None":
        case "null":
          return { k: "lit", value: null };
      }
      if (RESERVED.has(t.value)) this.fail(`unexpected '${t.value}'`);
      return { k: "name", name: t.value };
    }
    if (t.type === "op") {
      if (t.value === "(") {
        if (this.isOp(")")) {
          this.next();
          return { k: "list", items: [] };
        }
        const e = this.expression();
        if (this.isOp(",")) {
          const items = [e];
          while (this.isOp(",")) {
            this.next();
            if (this.isOp(")")) break;
            items.push(this.expression());
          }
          this.expectOp(")");
          return { k: "list", items };
        }
        this.expectOp(")");
        return e;
      }
      if (t.value === "[") {
        const items: Expr[] = [];
        while (!this.isOp("]")) {
          items.push(this.expression());
          if (!this.isOp(",")) break;
          this.next();
        }
        this.expectOp("]");
        return { k: "list", items };
      }
      if (t.value === "{") {
        const entries: [Expr, Expr][] = [];
        while (!this.isOp("}")) {
          const key = this.expression();
          this.expectOp(":");
          entries.push([key, this.expression()]);
          if (!this.isOp(",")) break;
          this.next();
        }
        this.expectOp("}");
        return { k: "dict", entries };
      }
    }
    this.fail(`unexpected ${this.describe(t)}`);
  }

  private postfix(e: Expr): Expr {
    for (;;) {
      if (this.isOp(".")) {
        this.next();
        const t = this.next();
        if (t.type === "name") e = { k: "attr", obj: e, name: t.value };
        else if (t.type === "number" && Number.isInteger(t.literal)) e = { k: "item", obj: e, key: { k: "lit", value: t.literal } };
        else this.fail(`expected an attribute name after '.' but found ${this.describe(t)}`);
      } else if (this.isOp("[")) {
        this.next();
        e = this.subscript(e);
      } else if (this.isOp("(")) {
        e = this.call(e);
      } else return e;
    }
  }

  private subscript(obj: Expr): Expr {
    const part = (): Expr | null => (this.isOp(":") || this.isOp("]") ? null : this.expression());
    const start = part();
    if (!this.isOp(":")) {
      this.expectOp("]");
      if (!start) this.fail("empty subscript");
      return { k: "item", obj, key: start };
    }
    this.next();
    const stop = part();
    let step: Expr | null = null;
    if (this.isOp(":")) {
      this.next();
      step = part();
    }
    this.expectOp("]");
    return { k: "slice", obj, start, stop, step };
  }

  private args(): { args: Expr[]; kwargs: [string, Expr][] } {
    this.expectOp("(");
    const args: Expr[] = [];
    const kwargs: [string, Expr][] = [];
    while (!this.isOp(")")) {
      if (this.cur.type === "name" && this.peek().type === "op" && this.peek().value === "=") {
        const name = this.next().value;
        this.next();
        kwargs.push([name, this.expression()]);
      } else {
        if (kwargs.length) this.fail("positional argument after keyword argument");
        args.push(this.expression());
      }
      if (!this.isOp(",")) break;
      this.next();
    }
    this.expectOp(")");
    return { args, kwargs };
  }

  private call(fn: Expr): Expr {
    const { args, kwargs } = this.args();
    return { k: "call", fn, args, kwargs };
  }

  filterCall(): FilterCall {
    let name = this.expectName();
    while (this.isOp(".")) {
      this.next();
      name += "." + this.expectName();
    }
    if (!(name in FILTERS)) this.fail(`unknown filter '${name}'`);
    const { args, kwargs } = this.isOp("(") ? this.args() : { args: [], kwargs: [] };
    return { name, args, kwargs };
  }

  private filters(e: Expr): Expr {
    for (;;) {
      if (this.isOp("|")) {
        this.next();
        const f = this.filterCall();
        e = { k: "filter", name: f.name, value: e, args: f.args, kwargs: f.kwargs };
      } else if (this.isName("is")) {
        this.next();
        const negated = this.skipName("not");
        const t = this.next();
        let name: string;
        if (t.type === "name") name = t.value;
        else if (t.type === "op" && ["==", "!=", "<", ">", "<=", ">="].includes(t.value)) name = t.value;
        else this.fail(`expected a test name after 'is' but found ${this.describe(t)}`);
        if (name === "none" || name === "None") name = "none";
        if (name === "true" || name === "True") name = "true";
        if (name === "false" || name === "False") name = "false";
        if (!(name in TESTS)) this.fail(`unknown test '${name}'`);
        let args: Expr[] = [];
        if (this.isOp("(")) args = this.args().args;
        else if (
          this.cur.type === "string" ||
          this.cur.type === "number" ||
          (this.cur.type === "name" && !RESERVED.has(this.cur.value)) ||
          this.isOp("[") ||
          this.isOp("{")
        ) {
          args = [this.primaryWithPostfix()];
        }
        e = { k: "test", name, value: e, args, negated };
      } else return e;
    }
  }

  private primaryWithPostfix(): Expr {
    return this.postfix(this.primary());
  }

  /** `for` targets and `set` targets: `x`, `k, v`, `(k, v)`. */
  targetNames(): string[] {
    const paren = this.isOp("(");
    if (paren) this.next();
    const names = [this.expectName()];
    while (this.isOp(",")) {
      this.next();
      if (this.cur.type !== "name") break;
      names.push(this.expectName());
    }
    if (paren) this.expectOp(")");
    for (const n of names) if (RESERVED.has(n)) this.fail(`cannot assign to '${n}'`);
    return names;
  }

  setTarget(): SetTarget {
    if (this.cur.type === "name" && this.peek().type === "op" && this.peek().value === ".") {
      const name = this.expectName();
      this.expectOp(".");
      return { k: "attr", name, attr: this.expectName() };
    }
    return { k: "names", names: this.targetNames() };
  }

  isAssign(): boolean {
    return this.isOp("=");
  }
  skipOp(v: string): boolean {
    if (this.isOp(v)) {
      this.next();
      return true;
    }
    return false;
  }
}

/** Parses a standalone expression (used for `{{ ... }}`). */
function parseOutput(source: string, line: number): Expr {
  const p = new ExprParser(tokenize(source, line), line);
  const e = p.expression();
  p.expectEnd();
  return e;
}

interface Frame {
  open: { tag: string; line: number } | null;
  ends: string[];
}

/** Parses a whole template into a node list. */
export function parseTemplate(src: string): Node[] {
  const segments = segment(src);
  let i = 0;

  const parseBody = (frame: Frame): { body: Node[]; endTag: string | null; p: ExprParser | null; line: number } => {
    const body: Node[] = [];
    while (i < segments.length) {
      const s = segments[i++];
      if (s.kind === "text") {
        body.push({ k: "text", value: s.value });
        continue;
      }
      if (s.kind === "output") {
        try {
          body.push({ k: "out", expr: parseOutput(s.source, s.line), source: s.source, line: s.line });
        } catch (err) {
          if (!(err instanceof TemplateError)) throw err;
          body.push({ k: "outraw", source: s.source, error: err.message });
        }
        continue;
      }
      const p = new ExprParser(tokenize(s.source, s.line), s.line);
      const tag = p.expectName();
      if (frame.ends.includes(tag)) return { body, endTag: tag, p, line: s.line };
      body.push(parseStatement(tag, p, s.line));
    }
    if (frame.open) {
      throw new TemplateError(`missing '{% ${frame.ends[frame.ends.length - 1]} %}' for '${frame.open.tag}' opened at line ${frame.open.line}`);
    }
    return { body, endTag: null, p: null, line: 0 };
  };

  const parseStatement = (tag: string, p: ExprParser, line: number): Node => {
    switch (tag) {
      case "if": {
        const branches: { test: Expr; body: Node[] }[] = [];
        let test = p.expression();
        p.expectEnd();
        let otherwise: Node[] | null = null;
        for (;;) {
          const r = parseBody({ open: { tag, line }, ends: ["elif", "else", "endif"] });
          branches.push({ test, body: r.body });
          if (r.endTag === "elif") {
            test = r.p!.expression();
            r.p!.expectEnd();
            continue;
          }
          if (r.endTag === "else") {
            r.p!.expectEnd();
            const e = parseBody({ open: { tag, line }, ends: ["endif"] });
            e.p!.expectEnd();
            otherwise = e.body;
          } else r.p!.expectEnd();
          break;
        }
        return { k: "if", branches, otherwise };
      }
      case "for": {
        const targets = p.targetNames();
        p.expectName("in");
        const iter = p.expression(false);
        let cond: Expr | null = null;
        if (p.skipName("if")) cond = p.expression(false);
        p.skipName("recursive");
        p.expectEnd();
        const r = parseBody({ open: { tag, line }, ends: ["else", "endfor"] });
        let otherwise: Node[] | null = null;
        r.p!.expectEnd();
        if (r.endTag === "else") {
          const e = parseBody({ open: { tag, line }, ends: ["endfor"] });
          e.p!.expectEnd();
          otherwise = e.body;
        }
        return { k: "for", targets, iter, cond, body: r.body, otherwise, line };
      }
      case "set": {
        const target = p.setTarget();
        if (p.isAssign()) {
          p.expectOp("=");
          const value = p.expression();
          p.expectEnd();
          return { k: "set", target, value };
        }
        const filters: FilterCall[] = [];
        while (p.skipOp("|")) filters.push(p.filterCall());
        p.expectEnd();
        const r = parseBody({ open: { tag, line }, ends: ["endset"] });
        r.p!.expectEnd();
        return { k: "setblock", target, filters, body: r.body };
      }
      case "filter": {
        const filters: FilterCall[] = [p.filterCall()];
        while (p.skipOp("|")) filters.push(p.filterCall());
        p.expectEnd();
        const r = parseBody({ open: { tag, line }, ends: ["endfilter"] });
        r.p!.expectEnd();
        return { k: "filterblock", filters, body: r.body };
      }
      case "elif":
      case "else":
      case "endif":
      case "endfor":
      case "endset":
      case "endfilter":
        throw new TemplateError(`unexpected '{% ${tag} %}' at line ${line}`);
      default:
        throw new TemplateError(`unknown tag '${tag}' at line ${line}`);
    }
  };

  return parseBody({ open: null, ends: [] }).body;
}
