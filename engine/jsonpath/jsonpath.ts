/**
 * A JSONPath subset (text.ExtractJSON): `$`, `.key`, `['key']`, `[n]`, `[-n]`, `[a:b]`, `[*]`, `.*`, `..key`.
 */
import { isRecord } from "../values/coerce";

export type PathStep = { recursive: boolean } & ({ t: "key"; key: string } | { t: "index"; index: number } | { t: "wild" } | { t: "slice"; start: number | null; stop: number | null });

export function parseJsonPath(path: string): PathStep[] {
  let p = path.trim();
  if (p.startsWith("$")) p = p.slice(1);
  else if (p !== "" && !p.startsWith(".") && !p.startsWith("[")) p = "." + p;
  const steps: PathStep[] = [];
  let i = 0;
  const bad = (why: string): never => {
    throw new Error(`invalid JSONPath '${path}': ${why}`);
  };
  while (i < p.length) {
    let recursive = false;
    if (p.startsWith("..", i)) {
      recursive = true;
      i += 2;
    } else if (p[i] === ".") i++;
    else if (p[i] !== "[") bad(`unexpected '${p[i]}'`);
    if (p[i] === "[") {
      const end = p.indexOf("]", i);
      if (end < 0) bad("missing ']'");
      const inner = p.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === "*") steps.push({ recursive, t: "wild" });
      else if (/^-?\d+$/.test(inner)) steps.push({ recursive, t: "index", index: Number(inner) });
      else if (/^(-?\d+)?:(-?\d+)?$/.test(inner)) {
        const [a, b] = inner.split(":");
        steps.push({ recursive, t: "slice", start: a === "" ? null : Number(a), stop: b === "" ? null : Number(b) });
      } else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ recursive, t: "key", key: inner.slice(1, -1) });
      else bad(`unsupported selector [${inner}]`);
      continue;
    }
    const m = /^(\*|[^.[\]]+)/.exec(p.slice(i));
    if (!m) bad("expected a key after '.'");
    i += m![0].length;
    steps.push(m![0] === "*" ? { recursive, t: "wild" } : { recursive, t: "key", key: m![0] });
  }
  return steps;
}

function descendants(v: unknown, acc: unknown[]): unknown[] {
  acc.push(v);
  if (Array.isArray(v)) for (const x of v) descendants(x, acc);
  else if (isRecord(v)) for (const x of Object.values(v)) descendants(x, acc);
  return acc;
}

function applyStep(step: PathStep, v: unknown, out: unknown[]): void {
  switch (step.t) {
    case "wild":
      if (Array.isArray(v)) out.push(...v);
      else if (isRecord(v)) out.push(...Object.values(v));
      return;
    case "key":
      if (isRecord(v) && Object.hasOwn(v, step.key)) out.push(v[step.key]);
      return;
    case "index":
      if (Array.isArray(v)) {
        const i = step.index < 0 ? v.length + step.index : step.index;
        if (i >= 0 && i < v.length) out.push(v[i]);
      }
      return;
    case "slice":
      if (Array.isArray(v)) {
        const norm = (x: number | null, d: number) => (x === null ? d : Math.min(Math.max(x < 0 ? v.length + x : x, 0), v.length));
        out.push(...v.slice(norm(step.start, 0), norm(step.stop, v.length)));
      }
      return;
  }
}

export function jsonPathFind(path: string, root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of parseJsonPath(path)) {
    const next: unknown[] = [];
    for (const v of current) {
      for (const target of step.recursive ? descendants(v, []) : [v]) applyStep(step, target, next);
    }
    current = next;
  }
  return current;
}
