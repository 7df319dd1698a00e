/**
 * Figure: Lambda bundle size. Builds functions/monitor.ts the way the stack does and, for
 * comparison, with the three SDK clients bundled in; the esbuild metafile says what takes the space.
 */
import { mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { type BundleVariant, ESM_REQUIRE_BANNER, LAMBDA_ENTRY, VARIANTS } from "./bundle-options.js";
import { fromRepo, OUT } from "./support/paths.js";

export interface BundleFigure {
  readonly variant: BundleVariant;
  readonly label: string;
  readonly file: string;
  readonly bytes: number;
  /** gzip -9 of the bundle: roughly what the deployment zip adds. */
  readonly gzipBytes: number;
  readonly sourceMapBytes: number;
  /** Output bytes per package (node_modules) or top-level folder (our code), largest first. */
  readonly breakdown: readonly { readonly part: string; readonly bytes: number }[];
}

/** "node_modules/@smithy/core/dist-es/x.js" -> "@smithy/core"; "lib/cycle.ts" -> "lib/". */
export function partOf(input: string): string {
  const i = input.lastIndexOf("node_modules/");
  if (i < 0) {
    const slash = input.indexOf("/");
    return slash < 0 ? input : `${input.slice(0, slash)}/`;
  }
  const rest = input.slice(i + "node_modules/".length).split("/");
  return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? input);
}

function breakdown(metafile: Metafile): { part: string; bytes: number }[] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const parts = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const part = partOf(input);
    parts.set(part, (parts.get(part) ?? 0) + bytesInOutput);
  }
  return [...parts].map(([part, bytes]) => ({ part, bytes })).sort((a, b) => b.bytes - a.bytes);
}

export async function buildBundle(variant: BundleVariant): Promise<BundleFigure> {
  const dir = join(OUT, "bundles", variant);
  await mkdir(dir, { recursive: true });
  // CDK names an ESM handler file index.mjs; the .mjs suffix is what makes Node load it as ESM.
  const file = join(dir, "index.mjs");
  const result = await build({
    ...VARIANTS[variant].options,
    entryPoints: [fromRepo(LAMBDA_ENTRY)],
    outfile: file,
    bundle: true,
    metafile: true,
    logLevel: "error",
  });
  const code = await readFile(file);
  return {
    variant,
    label: VARIANTS[variant].label,
    file,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    sourceMapBytes: (await stat(`${file}.map`)).size,
    breakdown: breakdown(result.metafile),
  };
}

export async function measureBundles(): Promise<Record<BundleVariant, BundleFigure>> {
  return {
    deployed: await buildBundle("deployed"),
    "sdk-bundled": await buildBundle("sdk-bundled"),
    "sdk-bundled-cjs": await buildBundle("sdk-bundled-cjs"),
  };
}

/**
 * infra/ keeps its bundling options inside the NodejsFunction props, not in an importable object,
 * so this reads the construct's source and checks each option the bundle figure depends on.
 * Returns "in sync" or the list of differences (also when the file has moved).
 */
export async function checkInfraBundling(): Promise<string> {
  const file = fromRepo("infra", "constructs", "monitor-function.ts");
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch {
    return "infra/constructs/monitor-function.ts not found: bundling options unchecked";
  }
  const expected: [string, RegExp][] = [
    ["format ESM", /format:\s*OutputFormat\.ESM/],
    ["mainFields module,main", /mainFields:\s*\[\s*"module",\s*"main"\s*\]/],
    ["minify", /minify:\s*true/],
    ["external source map", /sourceMapMode:\s*SourceMapMode\.EXTERNAL/],
    ["sourcesContent false", /sourcesContent:\s*false/],
    ["@aws-sdk/* external", /externalModules:\s*\[\s*"@aws-sdk\/\*"\s*\]/],
    ["Node.js 24 runtime (target node24)", /Runtime\.NODEJS_24_X/],
  ];
  const drift = expected.filter(([, pattern]) => !pattern.test(source)).map(([name]) => name);
  if (!source.includes(ESM_REQUIRE_BANNER)) drift.push("the same createRequire banner");
  return drift.length === 0 ? "in sync" : `DRIFT, infra no longer has: ${drift.join("; ")} (update bench/bundle-options.ts)`;
}
