/**
 * Source helpers for the code nodes: which dynamic inputs can become variables, and NodeTool Code's implicit
 * `return` of a last expression. NodeTool: packages/base-nodes/src/nodes/code-node.ts.
 */

const RESERVED = new Set(
  (
    "abstract arguments await boolean break byte case catch char class const continue debugger default delete do " +
    "double else enum eval export extends false final finally float for function goto if implements import in " +
    "instanceof int interface let long native new null package private protected public return short static " +
    "super switch synchronized this throw throws transient true try typeof undefined var void volatile while with yield"
  ).split(" "),
);

/** Whether a name can be declared as a JavaScript variable. */
export function isVariableName(name: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(name) && !RESERVED.has(name);
}

/** The inputs that become variables: valid names, not the node's own properties, not starting with `_`. */
export function variableInputs(inputs: Record<string, unknown>, own: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs)) {
    if (own.includes(key) || key.startsWith("_") || !isVariableName(key)) continue;
    // Values cross into the sandbox as JSON: what JSON cannot carry becomes null, as NodeTool's deep copy does.
    try {
      out[key] = value === undefined ? null : JSON.parse(JSON.stringify(value) ?? "null");
    } catch {
      out[key] = null;
    }
  }
  return out;
}

/** The code with string literals and comments blanked, so keyword checks do not see them. */
function stripStringsAndComments(code: string): string {
  return code
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "")
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""')
    .replace(/'(?:[^'\\\n]|\\.)*'/g, "''")
    .replace(/`(?:[^`\\]|\\.)*`/g, "``");
}

export function hasStatement(code: string, keyword: "return" | "yield"): boolean {
  return new RegExp(`(?:^|[;\\n{}\\s(])${keyword}(?:[\\s;(\\[{"'\`]|$)`).test(stripStringsAndComments(code));
}

const STATEMENT_START = /^(if|else|for|while|do|switch|try|catch|finally|throw|const|let|var|class|function|async\s+function|with|debugger|break|continue|return|import|export)\b/;

/**
 * Without a `return`, NodeTool returns the last line when it reads as an expression (`{a: 1}`, `x + 1`,
 * `fn(x)`); a last line that is a statement, a comment or a continuation leaves the code as it is.
 */
export function withImplicitReturn(code: string): string {
  const trimmed = code.trim();
  if (trimmed === "") return "return {};";
  if (hasStatement(code, "return")) return code;
  const lines = trimmed.split("\n");
  const last = lines[lines.length - 1].trim();
  if (last === "" || last.startsWith("//") || last.startsWith("/*") || last.startsWith("}") || last.startsWith(")") || last.startsWith("]")) return code;
  if (STATEMENT_START.test(last)) return code;
  const expression = /^[{(["'`.\d]/.test(last) || /^(true|false|null|undefined|NaN|Infinity)\b/.test(last) || /^[A-Za-z_$][\w$.]*/.test(last);
  if (!expression) return code;
  // A line that ends inside a bracket opened on an earlier line is a continuation, not a whole expression.
  const body = lines.slice(0, -1).join("\n");
  const depth = [...stripStringsAndComments(body)].reduce((d, c) => d + ("([{".includes(c) ? 1 : ")]}".includes(c) ? -1 : 0), 0);
  if (depth !== 0) return code;
  lines[lines.length - 1] = `return (${last.replace(/;\s*$/, "")});`;
  return lines.join("\n");
}
