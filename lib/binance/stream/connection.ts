/**
 * One connection to Binance's public mark price stream for a set of symbols, kept alive while an
 * account is watched: combined stream URL, SUBSCRIBE for symbols added later, reconnect with
 * jittered exponential backoff, and a watchdog that treats a connection silent for `staleMs` as
 * dead (the 1 s stream never pauses that long while it is healthy).
 *
 * Pings: Binance pings every few minutes and closes a connection that does not pong. The WebSocket
 * of Node 22+ (the Lambda's Node 24; Node 20 with --experimental-websocket) answers ping frames
 * with pongs itself, in the protocol layer, as RFC 6455 requires; the loopback stream counts the
 * pongs it receives, so the tests see it happen (test/integration/mark-stream.test.ts).
 *
 * Without a WebSocket (Node 20 without the flag) `start` reports the stream unavailable and the
 * caller stays on signed re-reads: a missing stream is never read as safety.
 */
import type { Logger } from "../../core/log.js";
import { type MarkUpdate, parseStreamMessage } from "./messages.js";
import { combinedStreamUrl, markPriceStream } from "./url.js";

/** The part of the WHATWG WebSocket the stream uses (Node's global `WebSocket`). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "close" | "error", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { readonly data: unknown }) => void): void;
}

export type SocketFactory = (url: string) => SocketLike;

const OPEN = 1;

/** The runtime's WebSocket as a factory, or undefined when this Node has none. */
export function runtimeSocketFactory(): SocketFactory | undefined {
  const Ctor = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  return Ctor ? (url) => new Ctor(url) : undefined;
}

export interface MarkStreamOptions {
  /** Stream origin (wss://dstream.binance.com, or ws:// on loopback). */
  readonly origin: string;
  readonly symbols: readonly string[];
  readonly onMark: (update: MarkUpdate) => void;
  readonly log: Logger;
  /** @default the runtime's WebSocket; null: none (as on Node 20 without the flag) */
  readonly socket?: SocketFactory | null;
  readonly now?: () => number;
  /** A connection with no message for this long is closed and replaced. @default 5000 */
  readonly staleMs?: number;
  /** @default 250 */
  readonly backoffBaseMs?: number;
  /** @default 5000 */
  readonly backoffCapMs?: number;
  readonly random?: () => number;
}

export interface MarkStreamStats {
  /** Frames received, of any kind. */
  messages: number;
  marks: number;
  /** Frames dropped as malformed or unexpected (never trusted, never fatal). */
  malformed: number;
  connects: number;
  /** Connections lost or replaced after the first. */
  reconnects: number;
  /** Wall-clock ms of the last mark received; 0 before the first. */
  lastMarkAt: number;
}

/** Binance limits a COIN-M client to 10 messages a second; SUBSCRIBE is batched into one message. */
const SUBSCRIBE_BATCH = 200;

export class MarkPriceStream {
  readonly stats: MarkStreamStats = { messages: 0, marks: 0, malformed: 0, connects: 0, reconnects: 0, lastMarkAt: 0 };
  private readonly symbols = new Set<string>();
  private readonly socketFactory: SocketFactory | undefined;
  private readonly now: () => number;
  private socket: SocketLike | undefined;
  private lastMessageAt = 0;
  private attempt = 0;
  private closed = false;
  private nextId = 1;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: MarkStreamOptions) {
    for (const s of options.symbols) this.symbols.add(s);
    this.socketFactory = options.socket === null ? undefined : (options.socket ?? runtimeSocketFactory());
    this.now = options.now ?? Date.now;
  }

  /** Whether this runtime can stream at all. */
  get available(): boolean {
    return this.socketFactory !== undefined;
  }

  /** Open the connection; false when the runtime has no WebSocket (stay on signed re-reads). */
  start(): boolean {
    if (!this.socketFactory) {
      this.options.log.warn("mark price stream unavailable: this Node.js has no WebSocket; signed re-reads only");
      return false;
    }
    if (this.closed || this.socket) return true;
    this.connect();
    const stale = this.options.staleMs ?? 5000;
    this.watchdog = setInterval(() => this.checkStale(stale), Math.max(50, Math.floor(stale / 4)));
    this.watchdog.unref?.();
    return true;
  }

  /** Whether a mark arrived within `staleMs`: the stream is watching right now. */
  live(): boolean {
    return this.stats.lastMarkAt > 0 && this.now() - this.stats.lastMarkAt <= (this.options.staleMs ?? 5000);
  }

  /** Add symbols: subscribed at once on the open connection, and part of every reconnect. */
  subscribe(symbols: readonly string[]): void {
    const added = symbols.filter((s) => !this.symbols.has(s));
    for (const s of added) this.symbols.add(s);
    if (added.length === 0 || this.socket?.readyState !== OPEN) return;
    for (let i = 0; i < added.length; i += SUBSCRIBE_BATCH) {
      const params = added.slice(i, i + SUBSCRIBE_BATCH).map(markPriceStream);
      this.socket.send(JSON.stringify({ method: "SUBSCRIBE", params, id: this.nextId++ }));
    }
  }

  close(): void {
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.retry) clearTimeout(this.retry);
    const socket = this.socket;
    this.socket = undefined;
    try {
      socket?.close(1000, "watch over");
    } catch {
      // Already closing: nothing to release.
    }
  }

  private connect(): void {
    const factory = this.socketFactory;
    if (!factory || this.closed || this.symbols.size === 0) return;
    const url = combinedStreamUrl(this.options.origin, [...this.symbols].sort().map(markPriceStream));
    let socket: SocketLike;
    try {
      socket = factory(url);
    } catch (err) {
      this.options.log.warn("mark price stream could not connect", {
        error: err instanceof Error ? err.message : String(err),
      });
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.lastMessageAt = this.now();
    socket.addEventListener("open", () => {
      if (this.socket !== socket) return;
      this.stats.connects++;
      this.lastMessageAt = this.now();
      this.options.log.info("mark price stream connected", { symbols: this.symbols.size });
    });
    socket.addEventListener("message", (event) => {
      if (this.socket !== socket) return;
      this.lastMessageAt = this.now();
      this.onFrame(event.data);
    });
    const lost = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.closed) return;
      this.stats.reconnects++;
      this.scheduleReconnect();
    };
    socket.addEventListener("close", lost);
    socket.addEventListener("error", lost);
  }

  private onFrame(data: unknown): void {
    this.stats.messages++;
    const message = typeof data === "string" ? parseStreamMessage(data) : undefined;
    if (!message || message.kind === "malformed") {
      this.stats.malformed++;
      // Debug only: a hostile or broken stream must not flood the logs.
      this.options.log.debug("mark price message dropped", {
        reason: message?.reason ?? "binary frame",
        dropped: this.stats.malformed,
      });
      return;
    }
    if (message.kind === "reply") return;
    // Only symbols asked for are believed: a stream is filtered before it reaches a person.
    if (!this.symbols.has(message.update.symbol)) {
      this.stats.malformed++;
      return;
    }
    this.stats.marks++;
    this.stats.lastMarkAt = this.now();
    this.attempt = 0;
    this.options.onMark(message.update);
  }

  private checkStale(staleMs: number): void {
    const socket = this.socket;
    if (!socket || this.closed) return;
    if (this.now() - this.lastMessageAt <= staleMs) return;
    this.options.log.warn("mark price stream silent; reconnecting", { silentMs: this.now() - this.lastMessageAt });
    this.socket = undefined;
    this.stats.reconnects++;
    try {
      socket.close(4000, "silent");
    } catch {
      // A socket that cannot even close is dropped all the same.
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry) return;
    const base = this.options.backoffBaseMs ?? 250;
    const cap = this.options.backoffCapMs ?? 5000;
    const random = this.options.random ?? Math.random;
    const delay = Math.min(cap, base * 2 ** this.attempt) * (0.5 + random() / 2);
    this.attempt++;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect();
    }, delay);
    this.retry.unref?.();
  }
}
