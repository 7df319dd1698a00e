/** Small, strict option parsing on node:util parseArgs: unknown options are usage errors. */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./command.js";

export function parseOptions<T extends NonNullable<ParseArgsConfig["options"]>>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}
