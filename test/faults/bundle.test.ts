/**
 * Supply chain: what goes into the Lambda bundles. Each handler in functions/ is bundled the way
 * the stack deploys it (ESM, Node, minified, the AWS SDK left to the runtime) and esbuild's
 * metafile must show only our own lib/ and functions/ sources: no dev dependency, no test or
 * simulator code, and ideally no third-party package at all.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const entries = readdirSync(join(ROOT, "functions"))
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
  .map((f) => `functions/${f}`);

/** Third-party packages allowed inside a bundle (none today; the runtime provides @aws-sdk/*). */
const ALLOWED_BUNDLED_PACKAGES = new Set<string>();

async function bundle(entry: string): Promise<{ metafile: Metafile; code: string }> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    minify: true,
    external: ["@aws-sdk/*"],
    metafile: true,
    write: false,
    outdir: "out",
    logLevel: "silent",
  });
  return { metafile: result.metafile, code: result.outputFiles.map((f) => f.text).join("\n") };
}

function packageOf(input: string): string | undefined {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return m?.[1];
}

describe("Lambda bundles", () => {
  it("there is a handler to check", () => {
    expect(entries).toContain("functions/monitor.ts");
  });

  it.each(entries)("%s bundles only first-party code: no dev dependency, no test or simulator code", async (entry) => {
    // Act
    const { metafile, code } = await bundle(entry);
    // Assess
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain(entry);
    const packages = [...new Set(inputs.map(packageOf).filter((p): p is string => p !== undefined))];
    for (const name of packages) {
      expect(Object.keys(pkg.devDependencies ?? {}), `${entry} bundles the dev dependency ${name}`).not.toContain(name);
      expect(ALLOWED_BUNDLED_PACKAGES, `${entry} bundles the package ${name}`).toContain(name);
    }
    expect(packages).toEqual([]);
    for (const input of inputs) expect(input, `${entry} bundles ${input}`).toMatch(/^(lib|functions)\//);
    // The AWS SDK stays external (the runtime's copy), imported, not inlined.
    const imports = Object.values(metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    for (const path of imports) expect(path, `${entry} imports ${path}`).toMatch(/^(@aws-sdk\/|node:|[a-z_]+$)/);
    expect(Object.values(metafile.outputs).some((o) => o.exports.includes("handler"))).toBe(true);
    expect(code).not.toMatch(/fast-check|vitest|dynalite|aws-sdk-client-mock/);
  });
});
