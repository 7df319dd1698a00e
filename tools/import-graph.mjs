#!/usr/bin/env node
/**
 * The import graph of the source tree (relative imports, type-only ones included: a circle of
 * types is still a circle to a reader), with its circles and the arrows the layering forbids.
 * `node tools/import-graph.mjs` prints them and exits 1 if there are any; test/unit/import-graph.test.ts
 * runs the same check in `npm test`.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE_DIRS = ["lib", "functions", "infra", "bin", "sim", "bench"];
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/** Layering rules: files under `from` may not import files under any of `not`. */
export const RULES = [
  { from: "lib/", not: ["infra/", "functions/", "bin/", "sim/", "bench/", "test/"], why: "lib/ is the core" },
  { from: "functions/", not: ["infra/", "bin/", "sim/", "bench/"], why: "handlers run in Lambda" },
  {
    from: "lib/risk/",
    not: ["lib/binance/", "lib/aws/", "lib/monitor/", "lib/alerts/", "lib/history/", "lib/chat/"],
    why: "the domain depends on no adapter",
  },
  {
    from: "lib/core/",
    not: [
      "lib/risk/",
      "lib/binance/",
      "lib/aws/",
      "lib/monitor/",
      "lib/alerts/",
      "lib/keys/",
      "lib/history/",
      "lib/chat/",
      "lib/config.ts",
    ],
    why: "core is the floor",
  },
];

function walk(dir) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (/\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

export function importGraph(root = ROOT) {
  const graph = new Map();
  for (const dir of SOURCE_DIRS) {
    for (const file of walk(path.join(root, dir))) {
      const rel = path.relative(root, file).split(path.sep).join("/");
      const text = fs.readFileSync(file, "utf8");
      const targets = new Set();
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2];
        const abs = path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec));
        targets.add(abs.replace(/\.js$/, ".ts").replace(/\.mjs$/, ".mts"));
      }
      graph.set(rel, [...targets].filter((t) => t.endsWith(".ts") || t.endsWith(".mts")).sort());
    }
  }
  return graph;
}

/** Every elementary circle's strongly connected component (Tarjan), as sorted file lists. */
export function circles(graph) {
  let index = 0;
  const stack = [];
  const on = new Set();
  const idx = new Map();
  const low = new Map();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

export function forbidden(graph) {
  const out = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      for (const rule of RULES) {
        if (from.startsWith(rule.from) && rule.not.some((n) => to.startsWith(n))) out.push({ from, to, why: rule.why });
      }
    }
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const graph = importGraph();
  const found = circles(graph);
  const bad = forbidden(graph);
  for (const c of found) console.log(`circle: ${c.join(" <-> ")}`);
  for (const b of bad) console.log(`forbidden: ${b.from} -> ${b.to} (${b.why})`);
  const libRoot = [...graph.keys()].filter((f) => /^lib\/[^/]+$/.test(f));
  console.log(
    `${graph.size} files, ${found.length} circles, ${bad.length} forbidden imports, lib/ root: ${libRoot.join(", ")}`,
  );
  process.exit(found.length + bad.length > 0 ? 1 : 0);
}
