/**
 * Child: EventBridge and Lambda for the latency scenario. Loads the deployed handler bundle and
 * invokes it on a fixed schedule (every `intervalMs`, each with `timeoutMs` to its timeout), without waiting for the previous one: an invocation that is
 * still re-reading when the next is due overlaps it, as a second Lambda environment would. The
 * handler's log lines are dropped (they would be CloudWatch's).
 */
import { pathToFileURL } from "node:url";
import { serve } from "./ipc.js";

process.stdout.write = (() => true) as typeof process.stdout.write;
const bundle = process.env.BENCH_HANDLER_BUNDLE;
if (!bundle) throw new Error("BENCH_HANDLER_BUNDLE is not set");
type Handler = (event: { time?: string }, context: { getRemainingTimeInMillis(): number }) => Promise<unknown>;
const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: Handler };

export interface Invocation {
  readonly scheduledMs: number;
  readonly startedMs: number;
  readonly endedMs: number;
  readonly rereads: number;
  /** Accounts watched after the scheduled read, and marks the stream delivered meanwhile. */
  readonly watched?: number;
  readonly streamMarks?: number;
  readonly error?: string;
}

serve(async (message) => {
  if (message.type !== "schedule") throw new Error(`unknown request ${String(message.type)}`);
  const start = Number(message.startMs);
  const interval = Number(message.intervalMs);
  const count = Number(message.count);
  const timeoutMs = Number(message.timeoutMs);
  const runs: Promise<Invocation>[] = [];
  for (let i = 0; i < count; i++) {
    const scheduledMs = start + i * interval;
    await new Promise((r) => setTimeout(r, Math.max(0, scheduledMs - Date.now())));
    const startedMs = Date.now();
    const timeoutAt = startedMs + timeoutMs;
    runs.push(
      handler({ time: new Date(scheduledMs).toISOString() }, { getRemainingTimeInMillis: () => timeoutAt - Date.now() })
        .then((r) => {
          const out = r as { rereads: number; watched?: number; streamMarks?: number };
          return {
            scheduledMs,
            startedMs,
            endedMs: Date.now(),
            rereads: out.rereads,
            watched: out.watched ?? 0,
            streamMarks: out.streamMarks ?? 0,
          };
        })
        .catch((err: unknown) => ({ scheduledMs, startedMs, endedMs: Date.now(), rereads: 0, error: String(err) })),
    );
  }
  return Promise.all(runs);
});
