import type { Metafile } from "esbuild";

export declare const ROOT: string;
/** Bundle bin/cli.ts to `outfile`; the esbuild metafile when asked for. */
export declare function buildCli(outfile: string, options?: { metafile?: boolean }): Promise<Metafile | undefined>;
