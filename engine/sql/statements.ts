import { WORKSPACE_DIR } from "../workspace/node-support";
import { normalizeWorkspacePath } from "../workspace/paths";
import { SQL_LIMITS, SqlError, type SqlValue } from "./sql-service";

/**
 * Checks around user SQL: identifiers are validated and quoted (table and column names never reach SQL
 * unquoted), database names follow the workspace's path rules, and a call carries exactly one statement,
 * as NodeTool's drivers demand (Python's sqlite3 and better-sqlite3 both refuse several at once).
 */

const MAX_IDENTIFIER_CHARS = 128;

/** A table or column name as a quoted SQL identifier; names SQLite or the host reserve are refused. */
export function quoteIdentifier(name: unknown, what = "identifier"): string {
  if (typeof name !== "string" || name === "") throw new SqlError(`${what} must be a non-empty string`, "invalid");
  if (name.length > MAX_IDENTIFIER_CHARS) throw new SqlError(`${what} '${name.slice(0, 40)}...' is longer than ${MAX_IDENTIFIER_CHARS} characters`, "invalid");
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new SqlError(`${what} contains a control character`, "invalid");
  const lower = name.toLowerCase();
  if (lower.startsWith("sqlite_") || lower.startsWith("_cf_")) throw new SqlError(`${what} '${name}' is reserved`, "invalid");
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The canonical name of a user database. NodeTool joins the name to the workspace directory, so a name may
 * be a workspace-relative path, or an absolute path inside the workspace mount (what GetDatabasePath gives).
 */
export function databaseName(raw: unknown): string {
  let name = typeof raw === "string" ? raw.trim() : "";
  if (name === "") throw new SqlError("database_name cannot be empty", "invalid");
  if (name === WORKSPACE_DIR || name.startsWith(`${WORKSPACE_DIR}/`)) name = name.slice(WORKSPACE_DIR.length + 1);
  let path: string;
  try {
    path = normalizeWorkspacePath(name, "database_name");
  } catch (err) {
    throw new SqlError((err as Error).message, "invalid");
  }
  if (path === "") throw new SqlError("database_name names the workspace, not a database", "invalid");
  if (new TextEncoder().encode(path).length > 256) throw new SqlError("database_name is longer than 256 bytes", "invalid");
  return path;
}

/** How many statements `sql` holds (comments and blank trailing text do not count). */
export function countStatements(sql: string): number {
  let count = 0;
  let content = false;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'" || c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c;
      let j = i + 1;
      while (j < n) {
        if (sql[j] === close) {
          if (close !== "]" && sql[j + 1] === close) j += 2;
          else break;
        } else j++;
      }
      i = j + 1;
      content = true;
    } else if (c === ";") {
      if (content) count++;
      content = false;
      i++;
    } else {
      if (!/\s/.test(c)) content = true;
      i++;
    }
  }
  return content ? count + 1 : count;
}

/** A trigger's body holds `;`-terminated statements of its own between BEGIN and END. */
function isCreateTrigger(sql: string): boolean {
  return /^\s*CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?TRIGGER\b/i.test(sql.replace(/^(?:\s*(?:--[^\n]*\n|\/\*[\s\S]*?\*\/))*/, ""));
}

/** The checks every SQL call passes before it reaches a database. */
export function checkStatement(sql: unknown, params: readonly unknown[]): void {
  if (typeof sql !== "string" || sql.trim() === "") throw new SqlError("the SQL statement is empty", "invalid");
  if (sql.length > SQL_LIMITS.maxStatementChars) throw new SqlError(`the SQL statement is longer than ${SQL_LIMITS.maxStatementChars} characters`, "too_large");
  if (params.length > SQL_LIMITS.maxParams) throw new SqlError(`more than ${SQL_LIMITS.maxParams} parameters`, "too_large");
  const statements = countStatements(sql);
  if (statements === 0) throw new SqlError("the SQL statement is empty", "invalid");
  if (statements > 1 && !isCreateTrigger(sql)) throw new SqlError("You can only execute one statement at a time.", "invalid");
}

/**
 * A node value as a bound parameter: booleans as 1/0 (as Python's sqlite3 binds them), lists and dicts as
 * JSON text (NodeTool's Insert and Update store them so, and its Query parses them back).
 */
export function toSqlValue(v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new SqlError(`cannot store ${v} in SQLite`, "invalid");
    return v;
  }
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return v;
  return JSON.stringify(v);
}
