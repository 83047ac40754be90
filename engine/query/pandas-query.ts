/**
 * pandas `DataFrame.query` conditions evaluated against one row (a dictionary), without eval (Workers forbid it).
 * Supports column names (bare or `back quoted`), numbers, 'strings', True/False/None, lists [..],
 * arithmetic (+ - * / % **), comparisons (chained as in Python), in / not in, and/or/not, & | ~.
 */
import { deepEqual, toBool, toList, toNumber, toText } from "../values/coerce";

export type Expr =
  | { k: "lit"; v: unknown }
  | { k: "name"; name: string }
  | { k: "list"; items: Expr[] }
  | { k: "not"; e: Expr }
  | { k: "neg"; e: Expr }
  | { k: "bool"; op: "and" | "or"; l: Expr; r: Expr }
  | { k: "arith"; op: string; l: Expr; r: Expr }
  | { k: "cmp"; first: Expr; rest: [string, Expr][] };

type Token = { t: "num" | "str" | "name" | "op"; v: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] ?? ""))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i))!;
      tokens.push({ t: "num", v: m[0] });
      i += m[0].length;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let s = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\" && j + 1 < src.length) j++;
        s += src[j++];
      }
      if (j >= src.length) throw new Error(`unterminated string at position ${i}`);
      tokens.push({ t: "str", v: s });
      i = j + 1;
    } else if (c === "`") {
      const j = src.indexOf("`", i + 1);
      if (j < 0) throw new Error(`unterminated \` at position ${i}`);
      tokens.push({ t: "name", v: src.slice(i + 1, j) });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      tokens.push({ t: "name", v: m[0] });
      i += m[0].length;
    } else {
      const op = ["**", "==", "!=", "<=", ">=", "&&", "||"].find((o) => src.startsWith(o, i)) ?? c;
      if (!["**", "==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", ",", "&", "|", "~", "!"].includes(op)) {
        throw new Error(`unexpected character '${c}' at position ${i}`);
      }
      tokens.push({ t: "op", v: op });
      i += op.length;
    }
  }
  return tokens;
}

export function parseQuery(src: string): Expr {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (v: string) => peek()?.t === "op" && peek().v === v;
  const isWord = (v: string) => peek()?.t === "name" && peek().v === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new Error(`expected '${v}' ${peek() ? `but found '${peek().v}'` : "at the end"}`);
    pos++;
  };

  const orExpr = (): Expr => {
    let l = andExpr();
    while (isWord("or") || isOp("|") || isOp("||")) {
      pos++;
      l = { k: "bool", op: "or", l, r: andExpr() };
    }
    return l;
  };
  const andExpr = (): Expr => {
    let l = notExpr();
    while (isWord("and") || isOp("&") || isOp("&&")) {
      pos++;
      l = { k: "bool", op: "and", l, r: notExpr() };
    }
    return l;
  };
  const notExpr = (): Expr => {
    if (isWord("not") || isOp("~") || isOp("!")) {
      pos++;
      return { k: "not", e: notExpr() };
    }
    return comparison();
  };
  const comparison = (): Expr => {
    const first = additive();
    const rest: [string, Expr][] = [];
    for (;;) {
      const tok = peek();
      if (tok?.t === "op" && ["==", "!=", "<", ">", "<=", ">="].includes(tok.v)) {
        pos++;
        rest.push([tok.v, additive()]);
      } else if (isWord("in")) {
        pos++;
        rest.push(["in", additive()]);
      } else if (isWord("not") && tokens[pos + 1]?.t === "name" && tokens[pos + 1].v === "in") {
        pos += 2;
        rest.push(["not in", additive()]);
      } else break;
    }
    return rest.length === 0 ? first : { k: "cmp", first, rest };
  };
  const additive = (): Expr => {
    let l = multiplicative();
    while (isOp("+") || isOp("-")) {
      const op = tokens[pos++].v;
      l = { k: "arith", op, l, r: multiplicative() };
    }
    return l;
  };
  const multiplicative = (): Expr => {
    let l = unary();
    while (isOp("*") || isOp("/") || isOp("%")) {
      const op = tokens[pos++].v;
      l = { k: "arith", op, l, r: unary() };
    }
    return l;
  };
  const unary = (): Expr => {
    if (isOp("-")) {
      pos++;
      return { k: "neg", e: unary() };
    }
    if (isOp("+")) {
      pos++;
      return unary();
    }
    const base = primary();
    if (isOp("**")) {
      pos++;
      return { k: "arith", op: "**", l: base, r: unary() };
    }
    return base;
  };
  const primary = (): Expr => {
    const tok = peek();
    if (!tok) throw new Error("unexpected end of condition");
    pos++;
    if (tok.t === "num") return { k: "lit", v: Number(tok.v) };
    if (tok.t === "str") return { k: "lit", v: tok.v };
    if (tok.t === "name") {
      if (tok.v === "True" || tok.v === "true") return { k: "lit", v: true };
      if (tok.v === "False" || tok.v === "false") return { k: "lit", v: false };
      if (tok.v === "None" || tok.v === "null") return { k: "lit", v: null };
      return { k: "name", name: tok.v };
    }
    if (tok.v === "(" || tok.v === "[") {
      // A parenthesised expression, or a list / tuple literal.
      const close = tok.v === "(" ? ")" : "]";
      const items: Expr[] = [];
      let comma = false;
      while (!isOp(close)) {
        items.push(orExpr());
        if (!isOp(",")) break;
        comma = true;
        pos++;
      }
      expect(close);
      if (close === ")" && items.length === 1 && !comma) return items[0];
      return { k: "list", items };
    }
    throw new Error(`unexpected '${tok.v}'`);
  };

  const e = orExpr();
  if (pos < tokens.length) throw new Error(`unexpected '${tokens[pos].v}'`);
  return e;
}

/** Compares two values with a Python comparison operator (==, !=, <, <=, >, >=). */
export type Comparator = (left: unknown, right: unknown, op: string) => boolean;

export function evaluate(e: Expr, row: Record<string, unknown>, compare: Comparator): unknown {
  switch (e.k) {
    case "lit":
      return e.v;
    case "name":
      if (!Object.hasOwn(row, e.name)) throw new Error(`unknown column '${e.name}'`);
      return row[e.name];
    case "list":
      return e.items.map((i) => evaluate(i, row, compare));
    case "not":
      return !toBool(evaluate(e.e, row, compare));
    case "neg":
      return -toNumber(evaluate(e.e, row, compare));
    case "bool": {
      const l = toBool(evaluate(e.l, row, compare));
      if (e.op === "and") return l && toBool(evaluate(e.r, row, compare));
      return l || toBool(evaluate(e.r, row, compare));
    }
    case "arith": {
      const l = evaluate(e.l, row, compare);
      const r = evaluate(e.r, row, compare);
      if (e.op === "+" && typeof l === "string" && typeof r === "string") return l + r;
      const a = toNumber(l);
      const b = toNumber(r);
      switch (e.op) {
        case "+":
          return a + b;
        case "-":
          return a - b;
        case "*":
          return a * b;
        case "/":
          return a / b;
        case "%":
          return a % b;
        default:
          return a ** b;
      }
    }
    case "cmp": {
      let left = evaluate(e.first, row, compare);
      for (const [op, expr] of e.rest) {
        const right = evaluate(expr, row, compare);
        let ok: boolean;
        if (op === "in" || op === "not in") {
          const found = typeof right === "string" ? right.includes(toText(left)) : toList(right).some((x) => deepEqual(x, left));
          ok = op === "in" ? found : !found;
        } else {
          ok = compare(left, right, op);
        }
        if (!ok) return false;
        left = right;
      }
      return true;
    }
  }
}
