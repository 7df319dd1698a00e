/**
 * Writing command output well: respect backpressure (wait for 'drain' instead of buffering a
 * month of rows in memory), stop quietly when the reader goes away (EPIPE from `| head`), and
 * show progress on stderr only when a person is watching it (a TTY), at most a few times a second.
 */

/** What the commands write to: process.stdout / stderr, or a test's stream. */
export interface OutStream {
  write(chunk: string): boolean;
  on(event: "error", listener: (err: Error) => void): unknown;
  once(event: "drain" | "close", listener: () => void): unknown;
  off(event: "error", listener: (err: Error) => void): unknown;
  off(event: "drain" | "close", listener: () => void): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const GONE = new Set(["EPIPE", "ERR_STREAM_DESTROYED", "ERR_STREAM_WRITE_AFTER_END", "ECONNRESET"]);

export class OutputSink {
  /** True once the reader has gone away; further writes are dropped. */
  closed = false;
  private failure: Error | undefined;
  private waiters: (() => void)[] = [];

  private readonly onError = (err: Error) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code && GONE.has(code)) this.closed = true;
    else this.failure ??= err;
    this.release();
  };

  private readonly onDrainOrClose = () => this.release();

  constructor(readonly stream: OutStream) {
    stream.on("error", this.onError);
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Write and, if the stream's buffer is full, wait until it drains (or the reader leaves). */
  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.closed || text === "") return;
    let ok: boolean;
    try {
      ok = this.stream.write(text);
    } catch (err) {
      this.onError(err as Error);
      if (this.failure) throw this.failure;
      return;
    }
    if (ok) return;
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.stream.once("drain", this.onDrainOrClose);
      this.stream.once("close", this.onDrainOrClose);
    });
    this.stream.off("drain", this.onDrainOrClose);
    this.stream.off("close", this.onDrainOrClose);
    if (this.failure) throw this.failure;
  }

  /** Stop listening; an EPIPE after this is still swallowed by a no-op listener. */
  dispose(): void {
    this.stream.off("error", this.onError);
    this.stream.on("error", () => {});
  }
}

export interface Progress {
  /** Report `count` items read, the newest at `atIso`. */
  update(count: number, atIso?: string): void;
  /** Clear the progress line. */
  done(): void;
}

const NO_PROGRESS: Progress = { update() {}, done() {} };

/** A one-line progress display on a TTY stderr, redrawn at most every `intervalMs`. */
export function createProgress(
  stderr: OutStream,
  label: string,
  options: { now?: () => number; intervalMs?: number; delayMs?: number } = {},
): Progress {
  if (!stderr.isTTY) return NO_PROGRESS;
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? 250;
  const started = now();
  let last = Number.NEGATIVE_INFINITY;
  let shown = false;
  return {
    update(count, atIso) {
      const t = now();
      // Short reads finish before the first redraw and never flash a progress line.
      if (t - started < (options.delayMs ?? 400) || t - last < interval) return;
      last = t;
      shown = true;
      const at = atIso ? ` (at ${atIso.slice(0, 16).replace("T", " ")})` : "";
      stderr.write(`\r\x1b[2K${label}: ${count.toLocaleString("en-US")}${at}`);
    },
    done() {
      if (shown) stderr.write("\r\x1b[2K");
      shown = false;
    },
  };
}

/** Colour only for a TTY, and never when NO_COLOR is set or TERM is "dumb". */
export function useColor(stream: OutStream, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return Boolean(stream.isTTY) && env.TERM !== "dumb";
}
