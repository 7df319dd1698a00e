/**
 * Structured JSON logs: one line per event, a message plus fields, never concatenated strings.
 * CloudWatch Logs Insights and `jq` read these lines directly.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` (for example the account alias) to every line. */
  child(fields: LogFields): Logger;
}

/** Fields every line logged inside `withLogFields` carries, through every logger and child. */
const scoped = new AsyncLocalStorage<LogFields>();

/**
 * Run `f` with `fields` (e.g. the Lambda request id) added to every log line written while it
 * runs, including by loggers created before, such as the monitor's, which lives for the container.
 */
export function withLogFields<T>(fields: LogFields, f: () => T): T {
  return scoped.run({ ...scoped.getStore(), ...fields }, f);
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LineSink = (line: string) => void;

/** JSON-lines logger writing to `sink` (stdout by default). */
export function createLogger(
  options: { level?: LogLevel; sink?: LineSink; base?: LogFields; now?: () => Date } = {},
): Logger {
  const min = ORDER[options.level ?? "info"];
  const sink = options.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base = options.base ?? {};
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    // The core keys come first and cannot be overwritten by a field of the same name.
    const line: Record<string, unknown> = { timestamp: now().toISOString(), level, message };
    for (const [key, value] of Object.entries({ ...scoped.getStore(), ...base, ...fields })) {
      if (!(key in line)) line[key] = value;
    }
    sink(JSON.stringify(line));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything, for narrow unit tests. */
export const silentLogger: Logger = createLogger({ sink: () => {} });

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Read LOG_LEVEL, falling back to info for anything unrecognised (run-once reports it; see configProblems). */
export function logLevelFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): LogLevel {
  const value = env.LOG_LEVEL?.trim().toLowerCase();
  return value === "debug" || value === "info" || value === "warn" || value === "error" ? value : "info";
}
