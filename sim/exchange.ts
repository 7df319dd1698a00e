/**
 * A loopback stand-in for Binance COIN-M that checks requests the way the real one does:
 * API key, signature over the exact query string (HMAC hex, RSA and Ed25519 base64), timestamp
 * within recvWindow of its own clock, and per-minute request weight per client IP, as Binance
 * counts it (429 past the limit; clients bound to 127.0.0.2, .3, ... count apart). It can
 * play faults on demand. Used by the tests, the benchmarks and the local demo; never in production.
 */
import { createHmac, createPublicKey, type KeyObject, timingSafeEqual, verify } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { LoopbackService } from "./loopback-server.js";

export type ExchangeKey =
  | { readonly type: "hmac"; readonly apiKey: string; readonly apiSecret: string }
  | { readonly type: "rsa" | "ed25519"; readonly apiKey: string; readonly publicKeyPem: string };

/** A scripted reply instead of normal processing. */
export type Fault =
  | {
      readonly kind: "status";
      readonly status: number;
      readonly body?: string;
      readonly headers?: Record<string, string>;
    }
  | { readonly kind: "reset" }
  | { readonly kind: "hang"; readonly ms: number }
  | { readonly kind: "body"; readonly body: string };

export interface ExchangeOptions {
  readonly keys: readonly ExchangeKey[];
  /** Body for each key's account call; called on every valid request. */
  readonly account: (apiKey: string, callIndex: number) => string;
  /**
   * Body for each key's positionRisk call. @default derived from the account body of the same
   * call index: every open position cross, marked at its entry price, with no liquidation price.
   */
  readonly positionRisk?: (apiKey: string, callIndex: number) => string;
  /** Added to the exchange clock, to simulate a skewed client. @default 0 */
  readonly clockOffsetMs?: number;
  /** Delay before each reply. @default 0 */
  readonly latencyMs?: number;
  /** Per-minute IP weight limit. @default 2400 */
  readonly weightLimit?: number;
}

export interface RecordedRequest {
  readonly path: string;
  readonly apiKey?: string;
  /** The client's address: the weight limit applies per IP. */
  readonly ip?: string;
  readonly status: number;
  readonly at: number;
}

const WEIGHTS: Record<string, number> = { "/dapi/v1/account": 5, "/dapi/v1/positionRisk": 1, "/dapi/v1/time": 1 };

/** positionRisk rows consistent with an account body's positions (all cross, no liquidation price). */
export function positionRiskFromAccount(accountBody: string): string {
  let positions: unknown[] = [];
  try {
    const parsed = JSON.parse(accountBody) as { positions?: unknown };
    if (Array.isArray(parsed.positions)) positions = parsed.positions;
  } catch {
    // A deliberately malformed account body: its positionRisk is simply empty.
  }
  const rows = positions.map((entry) => {
    const p = entry as Record<string, unknown>;
    return {
      symbol: p.symbol,
      positionAmt: p.positionAmt,
      entryPrice: p.entryPrice ?? "0",
      breakEvenPrice: p.breakEvenPrice ?? p.entryPrice ?? "0",
      markPrice: p.entryPrice ?? "0",
      unRealizedProfit: p.unrealizedProfit ?? "0",
      liquidationPrice: "0",
      leverage: p.leverage ?? "20",
      maxQty: p.maxQty ?? "50",
      marginType: p.isolated === true ? "isolated" : "cross",
      isolatedMargin: "0.00000000",
      isAutoAddMargin: "false",
      positionSide: p.positionSide ?? "BOTH",
      updateTime: p.updateTime ?? 0,
    };
  });
  return JSON.stringify(rows);
}

export class LoopbackExchange extends LoopbackService {
  private readonly verifiers = new Map<string, (payload: string, signature: string) => boolean>();
  private readonly faults: { apiKey?: string; path?: string; fault: Fault }[] = [];
  private readonly calls = new Map<string, number>();
  private window = -1;
  /** Weight used in the current minute, per client IP. */
  private readonly usedByIp = new Map<string, number>();
  readonly requests: RecordedRequest[] = [];
  clockOffsetMs: number;
  latencyMs: number;
  weightLimit: number;

  constructor(private readonly options: ExchangeOptions) {
    super();
    this.clockOffsetMs = options.clockOffsetMs ?? 0;
    this.latencyMs = options.latencyMs ?? 0;
    this.weightLimit = options.weightLimit ?? 2400;
    for (const key of options.keys) this.addKey(key);
  }

  addKey(key: ExchangeKey): void {
    if (key.type === "hmac") {
      this.verifiers.set(key.apiKey, (payload, signature) => {
        const expected = Buffer.from(createHmac("sha256", key.apiSecret).update(payload).digest("hex"));
        const given = Buffer.from(signature);
        return given.length === expected.length && timingSafeEqual(given, expected);
      });
    } else {
      const pub: KeyObject = createPublicKey(key.publicKeyPem);
      this.verifiers.set(key.apiKey, (payload, signature) => {
        const sig = Buffer.from(signature, "base64");
        return verify(key.type === "rsa" ? "sha256" : null, Buffer.from(payload), pub, sig);
      });
    }
  }

  /** Queue a fault for the next matching request (optionally only for one key or path). */
  injectFault(fault: Fault, match: { apiKey?: string; path?: string; times?: number } = {}): void {
    for (let i = 0; i < (match.times ?? 1); i++) {
      this.faults.push({
        ...(match.apiKey ? { apiKey: match.apiKey } : {}),
        ...(match.path ? { path: match.path } : {}),
        fault,
      });
    }
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  serverTime(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Weight used this minute by one client IP, or by the busiest one. */
  usedWeight(ip?: string): number {
    this.roll();
    if (ip !== undefined) return this.usedByIp.get(ip) ?? 0;
    return Math.max(0, ...this.usedByIp.values());
  }

  private roll(): void {
    const window = Math.floor(this.serverTime() / 60_000);
    if (window !== this.window) {
      this.window = window;
      this.usedByIp.clear();
    }
  }

  private takeFault(apiKey: string | undefined, path: string): Fault | undefined {
    const i = this.faults.findIndex((f) => (!f.apiKey || f.apiKey === apiKey) && (!f.path || f.path === path));
    if (i < 0) return undefined;
    return this.faults.splice(i, 1)[0]?.fault;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://loopback");
    const path = url.pathname;
    const apiKeyHeader = req.headers["x-mbx-apikey"];
    const apiKey = typeof apiKeyHeader === "string" ? apiKeyHeader : undefined;
    const ip = (req.socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "");
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));

    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ path, ...(apiKey ? { apiKey } : {}), ip, status, at: Date.now() });
      const text = typeof body === "string" ? body : JSON.stringify(body);
      res.writeHead(status, {
        "content-type": typeof body === "string" && text.startsWith("<") ? "text/html" : "application/json",
        "x-mbx-used-weight-1m": String(this.usedByIp.get(ip) ?? 0),
        ...headers,
      });
      res.end(text);
    };

    const weight = WEIGHTS[path];
    if (weight === undefined || req.method !== "GET") return reply(404, { code: -5000, msg: "Path not found" });
    this.roll();
    const used = this.usedByIp.get(ip) ?? 0;
    if (used + weight > this.weightLimit) {
      const retryAfter = Math.ceil((60_000 - (this.serverTime() % 60_000)) / 1000);
      return reply(
        429,
        { code: -1003, msg: "Too many requests; please use the websocket for live updates." },
        {
          "retry-after": String(retryAfter),
        },
      );
    }
    this.usedByIp.set(ip, used + weight);

    const fault = this.takeFault(apiKey, path);
    if (fault) {
      if (fault.kind === "reset") {
        this.requests.push({ path, ...(apiKey ? { apiKey } : {}), status: 0, at: Date.now() });
        req.socket.destroy();
        return;
      }
      if (fault.kind === "hang") {
        await new Promise((r) => setTimeout(r, fault.ms));
        if (res.destroyed || req.socket.destroyed) return;
      }
      if (fault.kind === "status") return reply(fault.status, fault.body ?? "", fault.headers);
      if (fault.kind === "body") return reply(200, fault.body);
    }

    if (path === "/dapi/v1/time") return reply(200, { serverTime: this.serverTime() });

    // Signed endpoint: the exact query string before "&signature=" is the signed payload.
    const raw = (req.url ?? "").split("?")[1] ?? "";
    const sigAt = raw.lastIndexOf("&signature=");
    if (!apiKey || !this.verifiers.has(apiKey)) {
      return reply(401, { code: -2015, msg: "Invalid API-key, IP, or permissions for action." });
    }
    if (sigAt < 0) return reply(400, { code: -1102, msg: "Mandatory parameter 'signature' was not sent." });
    const payload = raw.slice(0, sigAt);
    const signature = decodeURIComponent(raw.slice(sigAt + "&signature=".length));
    const params = new URLSearchParams(payload);
    const timestamp = Number(params.get("timestamp"));
    const recvWindow = Number(params.get("recvWindow") ?? 5000);
    if (!Number.isFinite(timestamp))
      return reply(400, { code: -1102, msg: "Mandatory parameter 'timestamp' was not sent." });
    const now = this.serverTime();
    // Binance: reject if timestamp is more than 1 s ahead of server time or older than recvWindow.
    if (timestamp > now + 1000 || now - timestamp > recvWindow) {
      return reply(400, { code: -1021, msg: "Timestamp for this request is outside of the recvWindow." });
    }
    const verifier = this.verifiers.get(apiKey);
    let valid = false;
    try {
      valid = verifier ? verifier(payload, signature) : false;
    } catch {
      valid = false;
    }
    if (!valid) return reply(400, { code: -1022, msg: "Signature for this request is not valid." });

    // Counted per key and path: a cycle calls both endpoints, and scenarios index by cycle.
    const counter = `${apiKey} ${path}`;
    const index = this.calls.get(counter) ?? 0;
    this.calls.set(counter, index + 1);
    if (path === "/dapi/v1/positionRisk") {
      const body = this.options.positionRisk
        ? this.options.positionRisk(apiKey, index)
        : positionRiskFromAccount(this.options.account(apiKey, index));
      return reply(200, body);
    }
    return reply(200, this.options.account(apiKey, index));
  }
}
