import { describe } from "../values/coerce";
import { parseQuery, type CmpOp, type Expr } from "./query-parse";
import { DataframeError, isMissing, type Cell, type Table } from "./table";

/**
 * Evaluates a pandas `query` condition row by row (see query-parse.ts for the language). The results follow
 * pandas: a missing value (NaN/None) compares false except under `!=`, `==` between text and a number is
 * false, ordering text against a number is a TypeError, and `col == [a, b]` means `col in [a, b]`.
 */

type Value = Cell;

interface Scope {
  table: Table;
  names: Map<string, number>;
  row: Cell[];
  index: number;
  /** Whole-column values for `x in column`, computed once. */
  columnSets: Map<number, Cell[]>;
}

const typeName = (v: Value): string => {
  if (v === null) return "NoneType";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "list";
  return describe(v);
};

const numeric = (v: Value): v is number | boolean => typeof v === "number" || typeof v === "boolean";

function equal(a: Value, b: Value): boolean {
  if (isMissing(a) || isMissing(b)) return false;
  if (numeric(a) && numeric(b)) return Number(a) === Number(b);
  if (typeof a !== typeof b) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  return a === b;
}

const contains = (list: Value[], v: Value): boolean => list.some((x) => equal(x, v));

function order(op: CmpOp, a: Value, b: Value): boolean {
  if (isMissing(a) || isMissing(b)) return false;
  let c: number;
  if (numeric(a) && numeric(b)) c = Number(a) - Number(b);
  else if (typeof a === "string" && typeof b === "string") c = a < b ? -1 : a > b ? 1 : 0;
  else throw new DataframeError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
  return op === "<" ? c < 0 : op === "<=" ? c <= 0 : op === ">" ? c > 0 : c >= 0;
}

function truthy(v: Value): boolean {
  if (isMissing(v)) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v !== "";
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

function pyMod(a: number, b: number): number {
  if (b === 0) return NaN;
  const m = a % b;
  return m !== 0 && m < 0 !== b < 0 ? m + b : m;
}

function arithmetic(op: string, a: Value, b: Value): Value {
  if (isMissing(a) || isMissing(b)) return null;
  if (op === "+" && typeof a === "string" && typeof b === "string") return a + b;
  if (op === "*" && typeof a === "string" && typeof b === "number" && Number.isInteger(b)) return a.repeat(Math.max(0, Math.min(b, 10_000)));
  if (!numeric(a) || !numeric(b)) throw new DataframeError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
  const x = Number(a);
  const y = Number(b);
  let r: number;
  switch (op) {
    case "+": r = x + y; break;
    case "-": r = x - y; break;
    case "*": r = x * y; break;
    case "/": r = x / y; break;
    case "//": r = y === 0 ? NaN : Math.floor(x / y); break;
    case "%": r = pyMod(x, y); break;
    default: r = x ** y;
  }
  return Number.isNaN(r) ? null : r;
}

function columnSet(scope: Scope, expr: Expr): Value[] | null {
  if (expr.k !== "name" || !scope.names.has(expr.name)) return null;
  const i = scope.names.get(expr.name)!;
  let set = scope.columnSets.get(i);
  if (!set) {
    set = scope.table.rows.map((r) => r[i]);
    scope.columnSets.set(i, set);
  }
  return set;
}

function membership(scope: Scope, left: Value, rightExpr: Expr, right: Value): boolean {
  const whole = columnSet(scope, rightExpr);
  if (whole) return contains(whole, left);
  if (Array.isArray(right)) return contains(right, left);
  if (typeof right === "string" && typeof left === "string") return right.includes(left);
  throw new DataframeError(`'in' needs a list, a column or text on its right, got ${typeName(right)}`);
}

function compare(scope: Scope, op: CmpOp, a: Value, b: Value, bExpr: Expr): boolean {
  switch (op) {
    case "==":
    case "!=": {
      let eq: boolean;
      if (Array.isArray(b) && !Array.isArray(a)) eq = contains(b, a);
      else if (Array.isArray(a) && !Array.isArray(b)) eq = contains(a, b);
      else eq = equal(a, b);
      return op === "==" ? eq : !eq;
    }
    case "in":
      return membership(scope, a, bExpr, b);
    case "not in":
      return !membership(scope, a, bExpr, b);
    default:
      return order(op, a, b);
  }
}

function method(target: Value, path: string[], args: Value[]): Value {
  const name = path.join(".");
  const text = (fn: (s: string) => Value): Value => (isMissing(target) ? null : typeof target === "string" ? fn(target) : null);
  const arg = (i: number): string => {
    const v = args[i];
    if (typeof v !== "string") throw new DataframeError(`${name}() needs a text argument, got ${typeName(v ?? null)}`);
    return v;
  };
  switch (name) {
    case "isna":
    case "isnull":
      return isMissing(target);
    case "notna":
    case "notnull":
      return !isMissing(target);
    case "str.contains":
      return text((s) => s.includes(arg(0)));
    case "str.startswith":
      return text((s) => s.startsWith(arg(0)));
    case "str.endswith":
      return text((s) => s.endsWith(arg(0)));
    case "str.lower":
      return text((s) => s.toLowerCase());
    case "str.upper":
      return text((s) => s.toUpperCase());
    case "str.strip":
      return text((s) => s.trim());
    case "str.len":
      return text((s) => s.length);
    case "abs":
      return isMissing(target) ? null : Math.abs(Number(target));
    default:
      throw new DataframeError(`unsupported method '${name}()' (available: isna, notna, abs, str.contains, str.startswith, str.endswith, str.lower, str.upper, str.strip, str.len)`);
  }
}

function evaluate(expr: Expr, scope: Scope): Value {
  switch (expr.k) {
    case "lit":
      return expr.v;
    case "name": {
      const i = scope.names.get(expr.name);
      if (i !== undefined) return scope.row[i];
      if (expr.name === "index") return scope.index;
      throw new DataframeError(`name '${expr.name}' is not defined (columns: ${[...scope.names.keys()].map((n) => `'${n}'`).join(", ") || "none"})`);
    }
    case "list":
      return expr.items.map((e) => evaluate(e, scope));
    case "unary": {
      const v = evaluate(expr.arg, scope);
      if (expr.op === "not") return !truthy(v);
      if (isMissing(v)) return null;
      if (!numeric(v)) throw new DataframeError(`bad operand type for unary ${expr.op}: '${typeName(v)}'`);
      return expr.op === "-" ? -Number(v) : Number(v);
    }
    case "bin":
      return arithmetic(expr.op, evaluate(expr.l, scope), evaluate(expr.r, scope));
    case "logic": {
      const l = truthy(evaluate(expr.l, scope));
      if (expr.op === "and") return l && truthy(evaluate(expr.r, scope));
      return l || truthy(evaluate(expr.r, scope));
    }
    case "cmp": {
      let left = evaluate(expr.operands[0], scope);
      for (let i = 0; i < expr.ops.length; i++) {
        const rightExpr = expr.operands[i + 1];
        const right = evaluate(rightExpr, scope);
        if (!compare(scope, expr.ops[i], left, right, rightExpr)) return false;
        left = right;
      }
      return true;
    }
    case "call":
      return method(evaluate(expr.target, scope), expr.path, expr.args.map((a) => evaluate(a, scope)));
  }
}

/**
 * The indices of the rows for which the condition holds, in order, stopping after `limit` matches. The
 * condition must give a boolean per row (pandas refuses to filter by numbers or text).
 */
export function queryRows(table: Table, condition: string, limit = Infinity): number[] {
  const expr = parseQuery(condition);
  const names = new Map<string, number>();
  table.columns.forEach((c, i) => {
    if (!names.has(c.name)) names.set(c.name, i);
  });
  const scope: Scope = { table, names, row: [], index: 0, columnSets: new Map() };
  const matches: number[] = [];
  for (let r = 0; r < table.rows.length && matches.length < limit; r++) {
    scope.row = table.rows[r];
    scope.index = r;
    const v = evaluate(expr, scope);
    if (typeof v !== "boolean" && !isMissing(v)) {
      throw new DataframeError(`the condition must give True or False for each row, got ${typeName(v)} (did you mean a comparison such as 'x > 0'?)`);
    }
    if (v === true) matches.push(r);
  }
  return matches;
}
