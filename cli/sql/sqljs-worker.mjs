// The SQLite engine of in-process runs (cli/sql/memory-sql.ts), on its own thread so that a runaway
// statement can be stopped by ending the thread. sql.js is SQLite compiled to WebAssembly: its databases
// live in this thread's memory and never touch the host's file system. Plain JavaScript: a worker thread
// does not get the tsx loader.
import { parentPort } from "node:worker_threads";
import initSqlJs from "sql.js";

const SQL = await initSqlJs();
const databases = new Map();

function database(name) {
  let db = databases.get(name);
  if (!db) {
    db = new SQL.Database();
    databases.set(name, db);
  }
  return db;
}

function size(v) {
  if (v === null || typeof v === "number") return 8;
  if (typeof v === "string") return v.length * 2;
  return v.byteLength;
}

function run({ database: name, sql, params, maxRows, maxResultBytes }) {
  const db = database(name);
  const stmt = db.prepare(sql);
  try {
    stmt.bind(params);
    const rows = [];
    let bytes = 0;
    while (stmt.step()) {
      const row = stmt.get();
      if (rows.length >= maxRows) throw Object.assign(new Error(`the statement returned more than ${maxRows} rows; add a LIMIT`), { reason: "too_large" });
      for (const v of row) bytes += size(v);
      if (bytes > maxResultBytes) throw Object.assign(new Error(`the statement returned more than ${maxResultBytes} bytes`), { reason: "too_large" });
      rows.push(row);
    }
    const columns = stmt.getColumnNames();
    const rowsAffected = db.getRowsModified();
    const lastRowId = db.exec("SELECT last_insert_rowid()")[0].values[0][0];
    return { columns, rows, rowsAffected, lastRowId };
  } finally {
    stmt.free();
  }
}

parentPort.on("message", (request) => {
  try {
    parentPort.postMessage({ id: request.id, ok: true, result: run(request) });
  } catch (err) {
    parentPort.postMessage({ id: request.id, ok: false, message: err instanceof Error ? err.message : String(err), reason: err?.reason ?? "sql" });
  }
});
// Statements are timed from here on: loading the WebAssembly is not part of any statement's time.
parentPort.postMessage({ ready: true });
