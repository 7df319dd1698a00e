/**
 * Readers for configuration text: environment variables and JSON, each failure a ConfigError
 * naming the variable. Shared by the monitor's config and every domain parser it calls.
 */
import { ConfigError } from "./errors.js";

/** Names of accounts and levels: key-safe, 1-64 characters. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export type Env = Readonly<Record<string, string | undefined>>;

export function read(env: Env, variable: string): string | undefined {
  const value = env[variable]?.trim();
  return value === "" ? undefined : value;
}

export function required(env: Env, variable: string): string {
  const value = read(env, variable);
  if (value === undefined) throw new ConfigError(variable, "is required but not set");
  return value;
}

export function parseJson(variable: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(variable, "is not valid JSON");
  }
}

export function number(
  env: Env,
  variable: string,
  fallback: number,
  check: { min: number; max: number; integer?: boolean },
): number {
  const text = read(env, variable);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || (check.integer && !Number.isInteger(value))) {
    throw new ConfigError(variable, `must be ${check.integer ? "an integer" : "a number"}, got "${text}"`);
  }
  if (value < check.min || value > check.max) {
    throw new ConfigError(variable, `must be between ${check.min} and ${check.max}, got ${value}`);
  }
  return value;
}

/** localhost, [::1] or 127.x.x.x: the only hosts plain http is allowed on. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
