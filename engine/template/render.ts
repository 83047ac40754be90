/** Evaluates a parsed template against a set of variables. */
import { isRecord } from "../values/coerce";
import { FILTERS, TESTS } from "./filters";
import type { Expr, FilterCall, Node, SetTarget } from "./parser";
import {
  chars,
  compare,
  contains,
  equals,
  getAttr,
  getItem,
  isMissing,
  isNumeric,
  isUndefined,
  iterate,
  Namespace,
  num,
  pySlice,
  range,
  str,
  TemplateError,
  TemplateFunction,
  truthy,
  typeName,
  Undefined,
} from "./runtime";

export interface RenderOptions {
  /** Also replace `{name}` (single braces) in text when `name` is a variable, as current NodeTool does. */
  singleBrace?: boolean;
  /** Upper bound on the rendered length, in characters. */
  maxOutput?: number;
}

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const MAX_ITERATIONS = 1_000_000;

class Scope {
  private readonly vars = new Map<string, unknown>();
  constructor(private readonly parent: Scope | null) {}
  get(name: string): unknown {
    if (this.vars.has(name)) return this.vars.get(name);
    return this.parent ? this.parent.get(name) : undefined;
  }
  has(name: string): boolean {
    return this.vars.has(name) || (this.parent?.has(name) ?? false);
  }
  set(name: string, value: unknown): void {
    this.vars.set(name, value);
  }
  child(): Scope {
    return new Scope(this);
  }
}

const GLOBALS: Record<string, unknown> = {
  range: new TemplateFunction("range", (args) => range(args)),
  namespace: new TemplateFunction("namespace", (args, kwargs) => {
    const attrs: Record<string, unknown> = {};
    for (const a of args) if (isRecord(a)) Object.assign(attrs, a);
    Object.assign(attrs, kwargs);
    return new Namespace(attrs);
  }),
  dict: new TemplateFunction("dict", (args, kwargs) => {
    const out: Record<string, unknown> = {};
    for (const a of args) if (isRecord(a)) Object.assign(out, a);
    return Object.assign(out, kwargs);
  }),
};

function isInteger(v: unknown): boolean {
  return isNumeric(v) && Number.isInteger(num(v));
}

function undefinedName(v: unknown): string {
  return v instanceof Undefined ? `'${v.hint}' is undefined` : "";
}

function arithmetic(op: string, a: unknown, b: unknown): unknown {
  if (isUndefined(a) || isUndefined(b)) {
    throw new TemplateError(`${undefinedName(isUndefined(a) ? a : b)} (in '${op}')`);
  }
  if (op === "~") return str(a) + str(b);
  if (isNumeric(a) && isNumeric(b)) {
    const x = num(a);
    const y = num(b);
    switch (op) {
      case "+":
        return x + y;
      case "-":
        return x - y;
      case "*":
        return x * y;
      case "/":
        if (y === 0) throw new TemplateError("division by zero");
        return x / y;
      case "//":
        if (y === 0) throw new TemplateError("integer division by zero");
        return Math.floor(x / y);
      case "%":
        if (y === 0) throw new TemplateError("modulo by zero");
        return ((x % y) + y) % y;
      case "**":
        return x ** y;
    }
  }
  if (op === "+") {
    if (typeof a === "string" && typeof b === "string") return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  }
  if (op === "*") {
    const [seq, n] = isInteger(b) ? [a, b] : [b, a];
    if (isInteger(n) && (typeof seq === "string" || Array.isArray(seq))) {
      const times = Math.max(0, num(n));
      if (times * (typeof seq === "string" ? seq.length : seq.length) > 10_000_000) throw new TemplateError("repetition result too large");
      return typeof seq === "string" ? seq.repeat(times) : Array.from({ length: times }, () => seq).flat();
    }
  }
  throw new TemplateError(`unsupported operand types for ${op}: ${typeName(a)} and ${typeName(b)}`);
}

function sliceBound(v: unknown): number | null {
  if (isMissing(v)) return null;
  if (!isInteger(v)) throw new TemplateError(`slice indices must be integers, got ${typeName(v)}`);
  return num(v);
}

export class Renderer {
  private readonly root: Scope;
  private readonly rootVars: Record<string, unknown>;
  private readonly lowerKeys = new Map<string, string>();
  private length = 0;
  private iterations = 0;
  private readonly maxOutput: number;

  constructor(
    vars: Record<string, unknown>,
    private readonly options: RenderOptions = {},
  ) {
    this.rootVars = vars;
    this.root = new Scope(null);
    for (const key of Object.keys(vars)) {
      const lower = key.toLowerCase();
      if (!this.lowerKeys.has(lower)) this.lowerKeys.set(lower, key);
    }
    this.maxOutput = options.maxOutput ?? 10_000_000;
  }

  render(nodes: Node[]): string {
    const out: string[] = [];
    this.renderNodes(nodes, this.root, out);
    return out.join("");
  }

  private emit(out: string[], s: string): void {
    this.length += s.length;
    if (this.length > this.maxOutput) throw new TemplateError(`rendered text exceeds ${this.maxOutput} characters`);
    out.push(s);
  }

  private lookup(name: string, scope: Scope): unknown {
    if (scope.has(name)) return scope.get(name);
    if (Object.hasOwn(this.rootVars, name)) return this.rootVars[name];
    // NodeTool's Jinja nodes matched variable names case-insensitively.
    const key = this.lowerKeys.get(name.toLowerCase());
    if (key !== undefined) return this.rootVars[key];
    if (Object.hasOwn(GLOBALS, name)) return GLOBALS[name];
    return new Undefined(name);
  }

  private substituteSingleBraces(text: string): string {
    if (!this.options.singleBrace || !text.includes("{")) return text;
    return text.replace(/(?<!\{)\{([^{}\n]+)\}(?!\})/g, (m, key: string) => (Object.hasOwn(this.rootVars, key) ? str(this.rootVars[key]) : m));
  }

  private renderNodes(nodes: Node[], scope: Scope, out: string[]): void {
    for (const node of nodes) {
      switch (node.k) {
        case "text":
          this.emit(out, this.substituteSingleBraces(node.value));
          break;
        case "out": {
          // A variable named `my-var` or `first name` is addressed by its exact name.
          const direct = !IDENTIFIER.test(node.source) && Object.hasOwn(this.rootVars, node.source);
          this.emit(out, str(direct ? this.rootVars[node.source] : this.eval(node.expr, scope)));
          break;
        }
        case "outraw": {
          if (!Object.hasOwn(this.rootVars, node.source)) throw new TemplateError(node.error);
          this.emit(out, str(this.rootVars[node.source]));
          break;
        }
        case "if": {
          const branch = node.branches.find((b) => truthy(this.eval(b.test, scope)));
          if (branch) this.renderNodes(branch.body, scope, out);
          else if (node.otherwise) this.renderNodes(node.otherwise, scope, out);
          break;
        }
        case "for":
          this.renderFor(node, scope, out);
          break;
        case "set":
          this.assign(node.target, this.eval(node.value, scope), scope);
          break;
        case "setblock": {
          const body: string[] = [];
          this.renderNodes(node.body, scope, body);
          this.assign(node.target, this.applyFilters(node.filters, body.join(""), scope), scope);
          break;
        }
        case "filterblock": {
          const body: string[] = [];
          this.renderNodes(node.body, scope, body);
          this.emit(out, str(this.applyFilters(node.filters, body.join(""), scope)));
          break;
        }
      }
    }
  }

  private applyFilters(filters: FilterCall[], value: unknown, scope: Scope): unknown {
    for (const f of filters) value = this.callFilter(f.name, value, f.args, f.kwargs, scope);
    return value;
  }

  private callFilter(name: string, value: unknown, args: Expr[], kwargs: [string, Expr][], scope: Scope): unknown {
    const f = FILTERS[name];
    if (!f) throw new TemplateError(`unknown filter '${name}'`);
    return f(
      value,
      args.map((a) => this.eval(a, scope)),
      Object.fromEntries(kwargs.map(([k, e]) => [k, this.eval(e, scope)])),
    );
  }

  private assign(target: SetTarget, value: unknown, scope: Scope): void {
    if (target.k === "attr") {
      const ns = this.lookup(target.name, scope);
      if (!(ns instanceof Namespace)) throw new TemplateError(`cannot assign attribute on ${typeName(ns)} '${target.name}'; use namespace()`);
      ns.attrs[target.attr] = value;
      return;
    }
    this.bind(target.names, value, scope);
  }

  private bind(names: string[], value: unknown, scope: Scope): void {
    if (names.length === 1) {
      scope.set(names[0], value);
      return;
    }
    const parts = iterate(value, "unpacked value");
    if (parts.length !== names.length) {
      throw new TemplateError(`cannot unpack ${parts.length} values into ${names.length} names (${names.join(", ")})`);
    }
    names.forEach((n, i) => scope.set(n, parts[i]));
  }

  private renderFor(node: Extract<Node, { k: "for" }>, scope: Scope, out: string[]): void {
    let items = iterate(this.eval(node.iter, scope), "loop target");
    if (node.cond) {
      const cond = node.cond;
      items = items.filter((item) => {
        const s = scope.child();
        this.bind(node.targets, item, s);
        return truthy(this.eval(cond, s));
      });
    }
    if (items.length === 0) {
      if (node.otherwise) this.renderNodes(node.otherwise, scope, out);
      return;
    }
    const length = items.length;
    items.forEach((item, i) => {
      if (++this.iterations > MAX_ITERATIONS) throw new TemplateError(`loops are limited to ${MAX_ITERATIONS} iterations`);
      const s = scope.child();
      const loop: Record<string, unknown> = {
        index: i + 1,
        index0: i,
        revindex: length - i,
        revindex0: length - i - 1,
        first: i === 0,
        last: i === length - 1,
        length,
        depth: 1,
        depth0: 0,
        previtem: i > 0 ? items[i - 1] : new Undefined("previtem"),
        nextitem: i < length - 1 ? items[i + 1] : new Undefined("nextitem"),
        cycle: new TemplateFunction("cycle", (args) => {
          if (args.length === 0) throw new TemplateError("loop.cycle needs at least one value");
          return args[i % args.length];
        }),
      };
      s.set("loop", loop);
      this.bind(node.targets, item, s);
      this.renderNodes(node.body, s, out);
    });
  }

  eval(e: Expr, scope: Scope): unknown {
    switch (e.k) {
      case "lit":
        return e.value;
      case "name":
        return this.lookup(e.name, scope);
      case "list":
        return e.items.map((x) => this.eval(x, scope));
      case "dict": {
        const out: Record<string, unknown> = {};
        for (const [k, v] of e.entries) out[str(this.eval(k, scope))] = this.eval(v, scope);
        return out;
      }
      case "attr":
        return getAttr(this.eval(e.obj, scope), e.name);
      case "item":
        return getItem(this.eval(e.obj, scope), this.eval(e.key, scope));
      case "slice": {
        const obj = this.eval(e.obj, scope);
        const bounds = [e.start, e.stop, e.step].map((b) => (b ? sliceBound(this.eval(b, scope)) : null));
        if (typeof obj === "string") return pySlice(chars(obj), bounds[0], bounds[1], bounds[2]).join("");
        if (Array.isArray(obj)) return pySlice(obj, bounds[0], bounds[1], bounds[2]);
        if (isUndefined(obj)) return obj;
        throw new TemplateError(`cannot slice ${typeName(obj)}`);
      }
      case "call": {
        const f = this.eval(e.fn, scope);
        if (!(f instanceof TemplateFunction)) {
          throw new TemplateError(isUndefined(f) ? `${undefinedName(f)} (cannot call it)` : `${typeName(f)} is not callable`);
        }
        return f.fn(
          e.args.map((a) => this.eval(a, scope)),
          Object.fromEntries(e.kwargs.map(([k, x]) => [k, this.eval(x, scope)])),
        );
      }
      case "filter":
        return this.callFilter(e.name, this.eval(e.value, scope), e.args, e.kwargs, scope);
      case "test": {
        const t = TESTS[e.name];
        if (!t) throw new TemplateError(`unknown test '${e.name}'`);
        const r = t(
          this.eval(e.value, scope),
          e.args.map((a) => this.eval(a, scope)),
        );
        return e.negated ? !r : r;
      }
      case "neg":
      case "pos": {
        const v = this.eval(e.operand, scope);
        if (!isNumeric(v)) throw new TemplateError(`bad operand type for unary ${e.k === "neg" ? "-" : "+"}: ${typeName(v)}`);
        return e.k === "neg" ? -num(v) : num(v);
      }
      case "not":
        return !truthy(this.eval(e.operand, scope));
      case "and": {
        const left = this.eval(e.left, scope);
        return truthy(left) ? this.eval(e.right, scope) : left;
      }
      case "or": {
        const left = this.eval(e.left, scope);
        return truthy(left) ? left : this.eval(e.right, scope);
      }
      case "cmp": {
        let left = this.eval(e.first, scope);
        for (const [op, re] of e.rest) {
          const right = this.eval(re, scope);
          let ok: boolean;
          switch (op) {
            case "==":
              ok = equals(left, right);
              break;
            case "!=":
              ok = !equals(left, right);
              break;
            case "in":
              ok = contains(right, left);
              break;
            case "notin":
              ok = !contains(right, left);
              break;
            default: {
              if (isUndefined(left) || isUndefined(right)) throw new TemplateError(`${undefinedName(isUndefined(left) ? left : right)} (in '${op}')`);
              const c = compare(left, right);
              ok = op === "<" ? c < 0 : op === ">" ? c > 0 : op === "<=" ? c <= 0 : c >= 0;
            }
          }
          if (!ok) return false;
          left = right;
        }
        return true;
      }
      case "bin":
        return arithmetic(e.op, this.eval(e.left, scope), this.eval(e.right, scope));
      case "cond":
        if (truthy(this.eval(e.test, scope))) return this.eval(e.then, scope);
        return e.otherwise ? this.eval(e.otherwise, scope) : new Undefined("else branch");
    }
  }
}
