/**
 * One line per event: `<ISO time> <LEVEL> <event> key=value ...`, on stdout (stderr for warnings and errors),
 * so `npm start` can prefix it and a container log keeps one event per line. Values with spaces are quoted.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

function formatValue(value: unknown): string {
  const text = typeof value === "string" ? value : value instanceof Error ? value.message : JSON.stringify(value);
  if (text === undefined) return "undefined";
  // Keep each event on one line whatever the message says (onnxruntime errors span several lines).
  const oneLine = text.replace(/\s*\n\s*/g, " ");
  return /[\s"=]/.test(oneLine) || oneLine === "" ? JSON.stringify(oneLine) : oneLine;
}

export function formatLine(level: LogLevel, event: string, fields: LogFields = {}): string {
  const parts = [new Date().toISOString(), level.toUpperCase(), event];
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) parts.push(`${key}=${formatValue(value)}`);
  return parts.join(" ");
}

export function createLogger(minLevel: LogLevel = "info"): Logger {
  const emit = (level: LogLevel) => (event: string, fields?: LogFields) => {
    if (RANK[level] < RANK[minLevel]) return;
    const line = formatLine(level, event, fields) + "\n";
    if (RANK[level] >= RANK.warn) process.stderr.write(line);
    else process.stdout.write(line);
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}
