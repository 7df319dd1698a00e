/**
 * Figure: Lambda bundle size. Builds functions/monitor.ts the way the stack does and, for
 * comparison, with the three SDK clients bundled in; the esbuild metafile says what takes the space.
 */
import { mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Metafile, type Plugin } from "esbuild";
import { BUNDLING_SOURCE, type BundleVariant, LAMBDA_ENTRY, untranslatedOptions, VARIANTS } from "./bundle-options.js";
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

/**
 * "node_modules/@smithy/core/dist-es/x.js" -> "@smithy/core"; our own files stay whole
 * ("lib/monitor/cycle.ts") when `ownFiles`, else fold into their top folder ("lib/").
 */
export function partOf(input: string, ownFiles = false): string {
  const i = input.lastIndexOf("node_modules/");
  if (i < 0) {
    const slash = input.indexOf("/");
    return ownFiles || slash < 0 ? input : `${input.slice(0, slash)}/`;
  }
  const rest = input.slice(i + "node_modules/".length).split("/");
  return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? input);
}

function breakdown(metafile: Metafile, ownFiles: boolean): { part: string; bytes: number }[] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const parts = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const part = partOf(input, ownFiles);
    parts.set(part, (parts.get(part) ?? 0) + bytesInOutput);
  }
  return [...parts].map(([part, bytes]) => ({ part, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Replaces each @aws-sdk package with a module of empty classes under the same export names. */
async function sdkStubPlugin(): Promise<Plugin> {
  const packages = ["@aws-sdk/client-dynamodb", "@aws-sdk/client-sns", "@aws-sdk/client-secrets-manager"];
  const stubs = new Map<string, string>();
  for (const name of packages) {
    const exports = Object.keys((await import(name)) as Record<string, unknown>).filter(
      (k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== "default",
    );
    stubs.set(name, exports.map((k) => `export class ${k} {}`).join("\n"));
  }
  return {
    name: "sdk-stub",
    setup(b) {
      b.onResolve({ filter: /^@aws-sdk\// }, (args) => ({ path: args.path, namespace: "sdk-stub" }));
      b.onLoad({ filter: /.*/, namespace: "sdk-stub" }, (args) => {
        const contents = stubs.get(args.path);
        if (contents === undefined) throw new Error(`no stub for ${args.path}`);
        return { contents, loader: "js" };
      });
    },
  };
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
    ...(variant === "sdk-stubbed" ? { plugins: [await sdkStubPlugin()] } : {}),
  });
  const code = await readFile(file);
  return {
    variant,
    label: VARIANTS[variant].label,
    file,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    sourceMapBytes: (await stat(`${file}.map`)).size,
    // Without the SDK the bundle is all our code: list it by file to say which module weighs what.
    breakdown: breakdown(result.metafile, variant === "deployed"),
  };
}

export async function measureBundles(): Promise<Record<BundleVariant, BundleFigure>> {
  return {
    deployed: await buildBundle("deployed"),
    "sdk-bundled": await buildBundle("sdk-bundled"),
    "sdk-bundled-cjs": await buildBundle("sdk-bundled-cjs"),
    "sdk-stubbed": await buildBundle("sdk-stubbed"),
  };
}

/** Where the options come from, and any option CDK would pass that the bench does not translate. */
export function bundlingSource(): string {
  const missing = untranslatedOptions();
  return missing.length === 0
    ? `${BUNDLING_SOURCE}, all options translated`
    : `${BUNDLING_SOURCE}; NOT translated: ${missing.join(", ")}`;
}
