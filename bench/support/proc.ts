/**
 * Child processes for the benchmarks. What is measured (a cold Lambda module, the CLI, the
 * monitor under load) runs in its own process, so the loopback servers in the bench process
 * never share its event loop and a cold start really is cold. Every child has a time limit.
 */
import { type ChildProcess, fork, spawn } from "node:child_process";

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** From spawn to exit, measured in this process. */
  readonly wallMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Keep at most this much output: enough for a result line or an error, never a flood. */
const OUTPUT_CAP = 256 * 1024;

export function runProcess(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string; stdout?: "capture" | "count" } = {},
): Promise<ProcessResult & { stdoutBytes: number; stdoutLines: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let stdoutBytes = 0;
    let stdoutLines = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) stdoutLines++;
      if (options.stdout !== "count" && stdout.length < OUTPUT_CAP) stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < OUTPUT_CAP) stderr += chunk.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // "exit" rather than "close": the wall time must not include draining the pipes.
    let wallMs = 0;
    child.on("exit", () => {
      wallMs = performance.now() - started;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, wallMs, stdout, stderr, stdoutBytes, stdoutLines });
    });
  });
}

/** A forked Node child that answers `request` messages with one reply each, in order. */
export interface Worker {
  request<T>(message: unknown, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
  readonly process: ChildProcess;
}

/** BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of every worker there, to find where time goes. */
function profileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROFILE;
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
}

/**
 * The handler's mark price stream needs Node's own WebSocket: built in from Node 22 (the Lambda's
 * 24), behind a flag on the Node 20 that runs the bench.
 */
function websocketArgs(): string[] {
  return typeof (globalThis as { WebSocket?: unknown }).WebSocket === "undefined" ? ["--experimental-websocket"] : [];
}

export async function startWorker(modulePath: string, env: NodeJS.ProcessEnv): Promise<Worker> {
  const child = fork(modulePath, [], {
    env,
    execArgv: [...profileArgs(), ...websocketArgs()],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    if (stderr.length < OUTPUT_CAP) stderr += chunk.toString("utf8");
  });
  // Whatever the child logs to stdout is part of what it measures; the worker protocol is IPC only.
  child.stdout?.resume();
  const waiting: { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  const failAll = (why: string) => {
    for (const w of waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error(`${why}${stderr ? `\n${stderr.slice(-2000)}` : ""}`));
    }
  };
  let announce: (() => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`worker ${modulePath} did not start within 30 s${stderr ? `\n${stderr.slice(-2000)}` : ""}`));
    }, 30_000);
    announce = () => {
      clearTimeout(timer);
      resolve();
    };
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `worker ${modulePath} exited (${code ?? signal}) before it was ready${stderr ? `\n${stderr.slice(-2000)}` : ""}`,
        ),
      );
    });
  });
  child.on("message", (message: unknown) => {
    // The child's first message says it is listening (it may load a lot before it can).
    if (announce) {
      announce();
      announce = undefined;
      return;
    }
    const next = waiting.shift();
    if (!next) return;
    clearTimeout(next.timer);
    const m = message as { error?: string };
    if (m && typeof m === "object" && typeof m.error === "string") next.reject(new Error(`worker: ${m.error}`));
    else next.resolve(message);
  });
  child.on("exit", (code, signal) => failAll(`worker ${modulePath} exited (${code ?? signal})`));
  const request = <T>(message: unknown, timeoutMs = 60_000) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`worker ${modulePath} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.push({ resolve: resolve as (v: unknown) => void, reject, timer });
      child.send(message as object);
    });
  await ready;
  return {
    process: child,
    request,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: "exit" });
      }),
  };
}
