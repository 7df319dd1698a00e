/**
 * Cold-start harness, run once per sample on plain `node`: import the handler module the way the
 * Lambda runtime does (dynamic import of the file) with the monitor's environment set, so the
 * module's top level loads config and builds the Binance client and the monitor (its AWS SDK
 * clients load on first use, lib/aws/lazy.ts).
 * Prints the in-process import time; the bench measures the whole process from spawn to exit.
 */
import { pathToFileURL } from "node:url";

const started = performance.now();
const file = process.argv[2];
if (!file) throw new Error("usage: cold-start.mjs <handler module>");
const mod = (await import(pathToFileURL(file).href)) as { handler?: unknown };
const importMs = performance.now() - started;
if (file.endsWith("index.mjs") && typeof mod.handler !== "function") throw new Error(`${file} exports no handler`);
process.stdout.write(`${JSON.stringify({ importMs })}\n`);
