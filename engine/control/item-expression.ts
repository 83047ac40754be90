/**
 * Item expressions of the `nodetool.control.*` stream operators (FilterCode, TakeWhile, DropWhile,
 * Distinct.key).
 *
 * NodeTool evaluates these as a safe subset of JavaScript bound to `item`. No `eval`/`new Function` here
 * (Workers forbid them, and they would run arbitrary code): a small parser for literals, `item` with
 * property access (`item.a.b`, `item["a"]`, `item[0]`), `typeof`, `! - +`, arithmetic, comparisons and
 * `&& ||` with parentheses.
 */
import { toText } from "../values/coerce";

export type Evaluator = (item: unknown) => unknown;
type Token = { kind: "num"; value: number } | { kind: "str"; value: string } | { kind: "id"; value: string } | { kind: "op"; value: string };

const OPERATORS = ["===", "!==", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]", ".", "!", "<", ">", "+", "-", "*", "/", "%"];
const BLOCKED_PROPERTIES = new Set(["__proto__", "constructor", "prototype"]);

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let text = "";
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === "\\" && i + 1 < src.length) {
          const e = src[i + 1];
          text += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e;
          i += 2;
        } else {
          text += src[i++];
        }
      }
      if (i >= src.length) throw new Error("unterminated string");
      i++;
      tokens.push({ kind: "str", value: text });
      continue;
    }
    const rest = src.slice(i);
    const num = /^(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest);
    if (num) {
      tokens.push({ kind: "num", value: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_$][\w$]*/.exec(rest);
    if (id) {
      tokens.push({ kind: "id", value: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new Error(`unexpected character '${c}'`);
    tokens.push({ kind: "op", value: op });
    i += op.length;
  }
  return tokens;
}

function readProperty(object: unknown, key: string | number): unknown {
  if (object === null || object === undefined) return undefined;
  if (typeof key === "string" && BLOCKED_PROPERTIES.has(key)) return undefined;
  if (typeof object === "string") return key === "length" ? object.length : typeof key === "number" ? object[key] : undefined;
  if (typeof object !== "object") return undefined;
  // Own properties only: nothing reachable through the prototype chain.
  return  Object.hasOwn(object, key) ? (object as Record<string | number, unknown>)[key] : undefined;
}

const BINARY: Record<string, [number, (a: never, b: never) => unknown]> = {
  // biome-ignore lint/suspicious/noDoubleEquals: the expression language's own loose equality
  "==": [3, (a, b) => a == b],
  // biome-ignore lint/suspicious/noDoubleEquals: the expression language's own loose inequality
  "!=": [3, (a, b) => a != b],
  "===": [3, (a, b) => a === b],
  "!==": [3, (a, b) => a !== b],
  "<": [4, (a, b) => a < b],
  "<=": [4, (a, b) => a <= b],
  ">": [4, (a, b) => a > b],
  ">=": [4, (a, b) => a >= b],
  "+": [5, (a, b) => (a as number) + (b as number)],
  "-": [5, (a, b) => (a as number) - (b as number)],
  "*": [6, (a, b) => (a as number) * (b as number)],
  "/": [6, (a, b) => (a as number) / (b as number)],
  "%": [6, (a, b) => (a as number) % (b as number)],
};

/** Compiles an item expression; throws with a readable message when it is not valid. */
export function compileItemExpression(src: string): Evaluator {
  const tokens = tokenize(src);
  let pos = 0;
  const peekOp = (value: string) => tokens[pos]?.kind === "op" && tokens[pos].value === value;
  const expectOp = (value: string) => {
    if (!peekOp(value)) throw new Error(`expected '${value}'`);
    pos++;
  };

  const primary = (): Evaluator => {
    const t = tokens[pos++];
    if (!t) throw new Error("unexpected end of expression");
    if (t.kind === "num" || t.kind === "str") {
      const v = t.value;
      return () => v;
    }
    if (t.kind === "id") {
      switch (t.value) {
        case "item":
          return (item) => item;
        case "true":
          return () => true;
        case "false":
          return () => false;
        case "null":
          return () => null;
        case "undefined":
          return () => undefined;
        default:
          throw new Error(`unknown name '${t.value}' (only 'item' is bound)`);
      }
    }
    if (t.value === "(") {
      const inner = binary(0);
      expectOp(")");
      return inner;
    }
    throw new Error(`unexpected '${t.value}'`);
  };

  const postfix = (): Evaluator => {
    let node = primary();
    for (;;) {
      if (peekOp(".")) {
        pos++;
        const t = tokens[pos++];
        if (t?.kind !== "id") throw new Error("expected a property name after '.'");
        const obj = node;
        const key = t.value;
        node = (item) => readProperty(obj(item), key);
      } else if (peekOp("[")) {
        pos++;
        const t = tokens[pos++];
        if (!t || (t.kind !== "str" && t.kind !== "num")) throw new Error("'[...]' takes a string or number literal");
        expectOp("]");
        const obj = node;
        const key = t.value;
        node = (item) => readProperty(obj(item), key);
      } else {
        return node;
      }
    }
  };

  const unary = (): Evaluator => {
    const t = tokens[pos];
    if (t?.kind === "op" && (t.value === "!" || t.value === "-" || t.value === "+")) {
      pos++;
      const arg = unary();
      if (t.value === "!") return (item) => !arg(item);
      if (t.value === "-") return (item) => -(arg(item) as number);
      return (item) => +(arg(item) as number);
    }
    if (t?.kind === "id" && t.value === "typeof") {
      pos++;
      const arg = unary();
      return (item) => typeof arg(item);
    }
    return postfix();
  };

  // Precedence climbing: || (1) < && (2) < equality (3) < comparison (4) < additive (5) < multiplicative (6).
  const binary = (minPrec: number): Evaluator => {
    let left = unary();
    for (;;) {
      const t = tokens[pos];
      if (t?.kind !== "op") return left;
      const prec = t.value === "||" ? 1 : t.value === "&&" ? 2 : BINARY[t.value]?.[0];
      if (prec === undefined || prec < minPrec) return left;
      pos++;
      const right = binary(prec + 1);
      const l = left;
      if (t.value === "||") left = (item) => l(item) || right(item);
      else if (t.value === "&&") left = (item) => l(item) && right(item);
      else {
        const fn = BINARY[t.value][1];
        left = (item) => fn(l(item) as never, right(item) as never);
      }
    }
  };

  const root = binary(0);
  if (pos < tokens.length) throw new Error(`unexpected '${String(tokens[pos].value)}'`);
  return root;
}

/** A predicate over items; an empty expression accepts everything. */
export function compilePredicate(src: unknown, node: string): (item: unknown) => boolean {
  const text = toText(src).trim();
  if (text === "") return () => true;
  let fn: Evaluator;
  try {
    fn = compileItemExpression(text);
  } catch (err) {
    throw new Error(`${node}: invalid predicate '${text}': ${(err as Error).message}`);
  }
  return (item) => {
    try {
      return Boolean(fn(item));
    } catch {
      return false;
    }
  };
}

const FIELD_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/**
 * Distinct's key: empty means the whole item; a bare field name or dotted path (`id`, `meta.url`) reads
 * that field of each item; anything else is an item expression (`item.id`, `item.name + item.year`).
 */
export function compileKey(src: unknown): Evaluator | null {
  const text = toText(src).trim();
  if (text === "") return null;
  if (FIELD_PATH.test(text) && text.split(".")[0] !== "item") {
    const path = text.split(".");
    return (item) => path.reduce<unknown>((v, k) => readProperty(v, k), item);
  }
  try {
    return compileItemExpression(text);
  } catch (err) {
    throw new Error(`Distinct: invalid key '${text}': ${(err as Error).message}`);
  }
}
