/** Where the benchmarks read from and write to. bench/out/ is git-ignored scratch space. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const OUT = join(REPO, "bench", "out");
export const fromRepo = (...parts: string[]) => join(REPO, ...parts);
