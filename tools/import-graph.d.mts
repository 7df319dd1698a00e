/** Types for tools/import-graph.mjs (plain JS so `node tools/import-graph.mjs` runs without a build). */

/** A layering rule: files under `from` may not import files under any of `not`. */
export interface LayerRule {
  readonly from: string;
  readonly not: readonly string[];
  readonly why: string;
}

export interface ForbiddenImport {
  readonly from: string;
  readonly to: string;
  readonly why: string;
}

export const RULES: readonly LayerRule[];

/** Each source file (repo-relative, `/`-separated) with the source files it imports, sorted. */
export function importGraph(root?: string): Map<string, string[]>;

/** The files of each import circle, sorted; empty when there is none. */
export function circles(graph: ReadonlyMap<string, readonly string[]>): string[][];

export function forbidden(graph: ReadonlyMap<string, readonly string[]>): ForbiddenImport[];
