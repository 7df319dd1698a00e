/**
 * The typed reader every part of the deploy config goes through: it records a problem (named by
 * the key the user edits) for each wrong type instead of stopping, so synth reports them all.
 */
import { ConfigError } from "../../lib/core/errors.js";
import type { Problem } from "../validators.js";

/** cdk.json context key holding the config object (or, from `-c`, its JSON text). */
export const CONTEXT_KEY = "coinm-guard";

/** All problems found in the config, each "key: problem". */
export class DeployConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid coinm-guard config (cdk.json, context "${CONTEXT_KEY}"); see docs/deploy.md:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "DeployConfigError";
  }
}

export type Obj = Record<string, unknown>;

export const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
export const describe = (v: unknown) => (Array.isArray(v) ? "an array" : v === null ? "null" : `a ${typeof v}`);

/** Reads typed fields, recording a problem (and returning undefined) for each wrong type. */
export class Reader {
  readonly problems: string[] = [];

  constructor(private readonly raw: Obj) {}

  problem(key: string, problem: Problem): void {
    if (problem !== undefined) this.problems.push(`${key}: ${problem}`);
  }

  private typed<T>(key: string, kind: string, ok: (v: unknown) => v is T): T | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (ok(value)) return value;
    this.problem(key, `must be ${kind}, got ${describe(value)}`);
    return undefined;
  }

  string(key: string): string | undefined {
    return this.typed(key, "a string", (v): v is string => typeof v === "string")?.trim();
  }

  number(key: string): number | undefined {
    return this.typed(key, "a number", (v): v is number => typeof v === "number" && Number.isFinite(v));
  }

  boolean(key: string): boolean | undefined {
    return this.typed(key, "true or false", (v): v is boolean => typeof v === "boolean");
  }

  array(key: string): unknown[] | undefined {
    return this.typed(key, "a JSON array", (v): v is unknown[] => Array.isArray(v));
  }

  /** A list of unique strings, each passing `check`. */
  stringList(key: string, check: (s: string) => Problem): string[] {
    const list = this.array(key) ?? [];
    const out: string[] = [];
    for (const [i, item] of list.entries()) {
      const at = `${key}[${i}]`;
      if (typeof item !== "string") {
        this.problem(at, `must be a string, got ${describe(item)}`);
        continue;
      }
      const value = item.trim();
      const problem = check(value) ?? (out.includes(value) ? `"${value}" is listed twice` : undefined);
      if (problem) this.problem(at, problem);
      else out.push(value);
    }
    return out;
  }

  /**
   * Run one of the core's parsers; its ConfigError becomes a problem (already "key: problem")
   * and `fallback` stands in, so the rest of the config is still checked.
   */
  core<T>(parse: () => T, fallback: T): T {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.problems.push(err.message);
      return fallback;
    }
  }
}
