/**
 * A loopback stand-in for Binance's market stream host (wss://dstream.binance.com): a WebSocket
 * server (RFC 6455, text frames only, written here so the project takes no dependency) that
 * pushes `markPriceUpdate` events every `intervalMs` for each subscribed `<symbol>@markPrice@1s`
 * stream (every 3 x `intervalMs` for `<symbol>@markPrice`), from the marks the margin engine's
 * signed bodies use (`marks`), so a price the exchange moves reaches the stream and the signed reads
 * alike. Raw `/ws/<stream>` and combined `/stream?streams=a/b` connections (combined ones wrap each
 * event as `{"stream", "data"}`), `SUBSCRIBE` / `UNSUBSCRIBE` / `LIST_SUBSCRIPTIONS`, ping frames
 * every `pingIntervalMs` (pongs counted), and faults: silence, dropped connections, refused
 * upgrades, raw frames. Used by tests, the bench and the demo; never in production.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { closeServer, listenOnLoopback } from "./loopback-server.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const STREAM = /^([a-z0-9_]{1,40})@markPrice(@1s)?$/;

export interface MarkStreamServerOptions {
  /** The mark of a symbol (upper case) right now; undefined: not listed, no event. */
  readonly marks: (symbol: string) => number | undefined;
  /** Time between events of a `@1s` stream. @default 1000 */
  readonly intervalMs?: number;
  /** Time between ping frames. @default 180000 (Binance: every few minutes) */
  readonly pingIntervalMs?: number;
  /** The exchange clock for `E`. @default Date.now */
  readonly now?: () => number;
}

interface Client {
  readonly socket: Duplex;
  readonly combined: boolean;
  readonly streams: Set<string>;
  buffer: Buffer;
}

export class MarkStreamServer {
  private server: Server | undefined;
  private readonly clients = new Set<Client>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private pinger: ReturnType<typeof setInterval> | undefined;
  private tick = 0;
  private silentUntil = 0;
  private refuse = 0;
  /** ws:// base URL while running. */
  endpoint = "";
  /** Pong frames received (answers to our pings). */
  pongs = 0;
  /** Events sent, all connections. */
  eventsSent = 0;
  /** Upgrades accepted so far. */
  connections = 0;
  /** Client text messages (SUBSCRIBE ...) received. */
  readonly requests: unknown[] = [];

  constructor(private readonly options: MarkStreamServerOptions) {}

  async start(): Promise<string> {
    const { server, url } = await listenOnLoopback((_req, res) => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: -5000, msg: "Path not found" }));
    });
    server.on("upgrade", (req, socket) => this.upgrade(req, socket));
    this.server = server;
    this.endpoint = url.replace(/^http:/, "ws:");
    const interval = this.options.intervalMs ?? 1000;
    this.timer = setInterval(() => this.push(), interval);
    this.pinger = setInterval(() => this.pingAll(), this.options.pingIntervalMs ?? 180_000);
    return this.endpoint;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.pinger) clearInterval(this.pinger);
    for (const c of this.clients) c.socket.destroy();
    this.clients.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await closeServer(server);
  }

  /** Open connections. */
  get open(): number {
    return this.clients.size;
  }

  /** Send nothing (connections stay open) for `ms`: a stream that died without closing. */
  silence(ms: number): void {
    this.silentUntil = Date.now() + ms;
  }

  /** Drop every open connection, as a network blip or Binance's 24-hour limit does. */
  dropAll(): void {
    for (const c of this.clients) c.socket.destroy();
    this.clients.clear();
  }

  /** Refuse the next `count` upgrades with 503. */
  refuseUpgrades(count: number): void {
    this.refuse = count;
  }

  /** Send a raw text frame to every connection (malformed messages, foreign events). */
  sendRaw(text: string): void {
    for (const c of this.clients) c.socket.write(frame(0x1, Buffer.from(text)));
  }

  /** Ping every connection now. */
  pingAll(): void {
    for (const c of this.clients) c.socket.write(frame(0x9, Buffer.from(`${Date.now()}`)));
  }

  private upgrade(req: IncomingMessage, socket: Duplex): void {
    const url = new URL(req.url ?? "/", "http://loopback");
    const key = req.headers["sec-websocket-key"];
    if (this.refuse > 0) {
      this.refuse--;
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n");
      return;
    }
    let streams: string[] | undefined;
    if (url.pathname === "/stream") streams = (url.searchParams.get("streams") ?? "").split("/").filter(Boolean);
    else if (url.pathname.startsWith("/ws/")) streams = [url.pathname.slice(4)];
    else if (url.pathname === "/ws") streams = [];
    if (typeof key !== "string" || !streams || streams.some((s) => !STREAM.test(s))) {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      return;
    }
    const accept = createHash("sha1")
      .update(key + GUID)
      .digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const client: Client = {
      socket,
      combined: url.pathname === "/stream",
      streams: new Set(streams),
      buffer: Buffer.alloc(0),
    };
    this.clients.add(client);
    this.connections++;
    socket.on("data", (chunk: Buffer) => this.receive(client, chunk));
    socket.on("close", () => this.clients.delete(client));
    socket.on("error", () => this.clients.delete(client));
  }

  private receive(client: Client, chunk: Buffer): void {
    client.buffer = Buffer.concat([client.buffer, chunk]);
    for (;;) {
      const parsed = readFrame(client.buffer);
      if (!parsed) return;
      client.buffer = client.buffer.subarray(parsed.length);
      if (parsed.opcode === 0x8) {
        client.socket.end(frame(0x8, Buffer.alloc(0)));
        this.clients.delete(client);
        return;
      }
      if (parsed.opcode === 0x9) client.socket.write(frame(0xa, parsed.payload));
      else if (parsed.opcode === 0xa) this.pongs++;
      else if (parsed.opcode === 0x1) this.request(client, parsed.payload.toString("utf8"));
    }
  }

  private request(client: Client, text: string): void {
    let message: { method?: unknown; params?: unknown; id?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    this.requests.push(message);
    const params = Array.isArray(message.params)
      ? message.params.filter((p): p is string => typeof p === "string")
      : [];
    if (message.method === "SUBSCRIBE") for (const p of params) if (STREAM.test(p)) client.streams.add(p);
    if (message.method === "UNSUBSCRIBE") for (const p of params) client.streams.delete(p);
    const result = message.method === "LIST_SUBSCRIPTIONS" ? [...client.streams] : null;
    client.socket.write(frame(0x1, Buffer.from(JSON.stringify({ result, id: message.id ?? null }))));
  }

  private push(): void {
    this.tick++;
    if (Date.now() < this.silentUntil) return;
    const now = this.options.now?.() ?? Date.now();
    for (const client of this.clients) {
      for (const stream of client.streams) {
        const m = STREAM.exec(stream);
        if (!m?.[1]) continue;
        // The plain stream runs at a third of the 1 s stream's rate, as Binance's 3 s one does.
        if (!m[2] && this.tick % 3 !== 0) continue;
        const symbol = m[1].toUpperCase();
        const mark = this.options.marks(symbol);
        if (mark === undefined) continue;
        const data = {
          e: "markPriceUpdate",
          E: now,
          s: symbol,
          p: mark.toFixed(8),
          P: mark.toFixed(8),
          r: "0.00010000",
          T: Math.ceil(now / 28_800_000) * 28_800_000,
        };
        const text = JSON.stringify(client.combined ? { stream, data } : data);
        client.socket.write(frame(0x1, Buffer.from(text)));
        this.eventsSent++;
      }
    }
  }
}

/** A server frame: FIN set, never masked. */
function frame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.alloc(2) : n < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (n < 126) head[1] = n;
  else if (n < 65_536) {
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

/** One client frame (masked, as RFC 6455 requires of clients), or undefined until it is all here. */
function readFrame(buf: Buffer): { opcode: number; payload: Buffer; length: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = (buf[0] ?? 0) & 0x0f;
  const masked = ((buf[1] ?? 0) & 0x80) !== 0;
  let n = (buf[1] ?? 0) & 0x7f;
  let offset = 2;
  if (n === 126) {
    if (buf.length < 4) return undefined;
    n = buf.readUInt16BE(2);
    offset = 4;
  } else if (n === 127) {
    if (buf.length < 10) return undefined;
    n = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const maskAt = offset;
  if (masked) offset += 4;
  if (buf.length < offset + n) return undefined;
  const payload = Buffer.from(buf.subarray(offset, offset + n));
  if (masked) for (let i = 0; i < n; i++) payload[i] = (payload[i] ?? 0) ^ (buf[maskAt + (i % 4)] ?? 0);
  return { opcode, payload, length: offset + n };
}
