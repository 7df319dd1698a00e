/**
 * Builds the benchmark's child programs with esbuild so they run on plain `node`: a child
 * started through tsx would measure tsx's loader as well, and would load the handler bundle
 * through tsx's hooks instead of the way the Lambda runtime loads it.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { fromRepo, OUT } from "./paths.js";

/** Bundle bench/children/<name>.ts to bench/out/children/<name>.mjs; the SDK stays in node_modules. */
export async function buildChild(name: string): Promise<string> {
  const outfile = join(OUT, "children", `${name}.mjs`);
  await mkdir(join(OUT, "children"), { recursive: true });
  await build({
    entryPoints: [fromRepo("bench", "children", `${name}.ts`)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // The SDK and dynalite are shared with the code under test, exactly as installed.
    external: ["@aws-sdk/*", "dynalite"],
    logLevel: "warning",
  });
  return outfile;
}
