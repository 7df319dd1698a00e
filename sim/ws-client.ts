/**
 * A minimal WebSocket client (RFC 6455: text frames, ping/pong, close; ws:// on loopback only) for
 * the local demo on Node 20, whose own WebSocket is behind --experimental-websocket. It implements
 * the SocketLike the mark price stream uses (lib/binance/stream/connection.ts). Production never
 * uses it: the Lambda's Node 24 has WebSocket built in, and lib/ never imports sim/.
 */
import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";
import type { Duplex } from "node:stream";
import type { SocketFactory, SocketLike } from "../lib/binance/stream/connection.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

type Listener = (event: { readonly data: unknown }) => void;

class LoopbackSocket implements SocketLike {
  readyState = 0;
  private socket: Duplex | undefined;
  private buffer = Buffer.alloc(0);
  private readonly listeners = new Map<string, Listener[]>();

  constructor(url: string) {
    const u = new URL(url);
    if (u.protocol !== "ws:" || !/^(127\.\d+\.\d+\.\d+|localhost)$/.test(u.hostname)) {
      throw new Error("the demo's WebSocket client speaks ws:// on loopback only");
    }
    const key = randomBytes(16).toString("base64");
    const req = request({
      host: u.hostname,
      port: u.port,
      path: `${u.pathname}${u.search}`,
      headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": key },
    });
    req.on("upgrade", (res, socket) => {
      const expected = createHash("sha1")
        .update(key + GUID)
        .digest("base64");
      if (res.headers["sec-websocket-accept"] !== expected) {
        socket.destroy();
        this.finish();
        return;
      }
      this.socket = socket;
      this.readyState = 1;
      socket.on("data", (chunk: Buffer) => this.receive(chunk));
      socket.on("close", () => this.finish());
      socket.on("error", () => this.finish());
      this.emit("open", { data: undefined });
    });
    req.on("response", () => this.finish());
    req.on("error", () => this.finish());
    req.end();
  }

  addEventListener(type: string, listener: Listener | (() => void)): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener as Listener]);
  }

  send(data: string): void {
    this.write(0x1, Buffer.from(data));
  }

  close(): void {
    if (this.readyState !== 1) return;
    this.write(0x8, Buffer.alloc(0));
    this.socket?.end();
    this.finish();
  }

  private emit(type: string, event: { readonly data: unknown }): void {
    for (const l of this.listeners.get(type) ?? []) l(event);
  }

  private finish(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.emit("close", { data: undefined });
  }

  /** A client frame: FIN, masked as RFC 6455 requires of clients. */
  private write(opcode: number, payload: Buffer): void {
    if (!this.socket || this.readyState !== 1) return;
    const n = payload.length;
    const head = n < 126 ? Buffer.alloc(2) : Buffer.alloc(4);
    head[0] = 0x80 | opcode;
    head[1] = 0x80 | Math.min(n, 126);
    if (n >= 126) head.writeUInt16BE(n, 2);
    const mask = randomBytes(4);
    const body = Buffer.from(payload);
    for (let i = 0; i < n; i++) body[i] = (body[i] ?? 0) ^ (mask[i % 4] ?? 0);
    this.socket.write(Buffer.concat([head, mask, body]));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = (this.buffer[0] ?? 0) & 0x0f;
      let n = (this.buffer[1] ?? 0) & 0x7f;
      let offset = 2;
      if (n === 126) {
        if (this.buffer.length < 4) return;
        n = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (n === 127) {
        if (this.buffer.length < 10) return;
        n = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + n) return;
      const payload = this.buffer.subarray(offset, offset + n);
      this.buffer = this.buffer.subarray(offset + n);
      if (opcode === 0x1) this.emit("message", { data: payload.toString("utf8") });
      else if (opcode === 0x9) this.write(0xa, Buffer.from(payload));
      else if (opcode === 0x8) {
        this.socket?.end();
        this.finish();
      }
    }
  }
}

/** A factory of this loopback client, for a runtime without WebSocket. */
export const loopbackSocketFactory: SocketFactory = (url) => new LoopbackSocket(url);
