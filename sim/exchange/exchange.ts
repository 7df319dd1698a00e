/**
 * A loopback stand-in for Binance that checks requests the way the real one does: API key,
 * signature over the exact query string, timestamp within recvWindow of its own clock, and
 * per-minute request weight per client IP (429 past the limit; clients bound to 127.0.0.2, .3, ...
 * count apart; fapi apart from dapi). It can play faults on demand. This file routes; each
 * product's endpoints live in their own folder (coinm/, spot/, usdm/). Used by the tests, the benchmarks and the local demo; never in
 * production.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PortfolioEngine } from "../engine/portfolio/engine.js";
import { LoopbackService } from "../loopback-server.js";
import { type CoinmBodies, coinmRoutes } from "./coinm/routes.js";
import { type Fault, type FaultMatch, FaultQueue } from "./faults.js";
import { portfolioRoutes } from "./portfolio/routes.js";
import type { ProductRoutes } from "./routes.js";
import { type ExchangeKey, INVALID_KEY, SignatureChecker } from "./signature.js";
import { KeyPermissionTable } from "./spot/key-permissions.js";
import { spotRoutes } from "./spot/routes.js";
import { type UsdmBodies, usdmRoutes } from "./usdm/routes.js";
import { IpWeightMeter } from "./weights.js";

export interface ExchangeOptions extends CoinmBodies, UsdmBodies {
  readonly keys: readonly ExchangeKey[];
  /** Added to the exchange clock, to simulate a skewed client. @default 0 */
  readonly clockOffsetMs?: number;
  /** Delay before each reply. @default 0 */
  readonly latencyMs?: number;
  /** Per-minute IP weight limit. @default 2400 */
  readonly weightLimit?: number;
  /**
   * Portfolio Margin accounts: their keys read `/papi/v1/...` bodies computed by this engine and
   * get -2015 on the classic products, as Binance answers a PM account's key there.
   */
  readonly portfolio?: PortfolioEngine;
}

export interface RecordedRequest {
  readonly path: string;
  readonly apiKey?: string;
  /** The client's address: the weight limit applies per IP. */
  readonly ip?: string;
  readonly status: number;
  readonly at: number;
}

export class LoopbackExchange extends LoopbackService {
  private readonly signatures = new SignatureChecker();
  private readonly faults = new FaultQueue();
  private readonly calls = new Map<string, number>();
  private readonly weights = new IpWeightMeter(() => this.serverTime());
  /** Products that count weight apart from the shared counter (fapi), by ProductRoutes.weightGroup. */
  private readonly groupWeights = new Map<string, IpWeightMeter>();
  private readonly portfolio: PortfolioEngine | undefined;
  /** Every product this exchange serves; the spot API shares COIN-M's weight counter here. */
  private readonly routes: readonly ProductRoutes[];
  readonly requests: RecordedRequest[] = [];
  /** Bytes each "stream" fault wrote before the body ended or the client went away. */
  readonly streamed: { readonly written: number; readonly complete: boolean }[] = [];
  /** Each key's permission flags for the spot API's apiRestrictions endpoint. */
  readonly keyPermissions = new KeyPermissionTable();
  clockOffsetMs: number;
  latencyMs: number;
  weightLimit: number;

  constructor(options: ExchangeOptions) {
    super();
    if (!options.account && !options.engine) throw new Error("LoopbackExchange needs an account body or an engine");
    this.clockOffsetMs = options.clockOffsetMs ?? 0;
    this.latencyMs = options.latencyMs ?? 0;
    this.weightLimit = options.weightLimit ?? 2400;
    this.portfolio = options.portfolio;
    this.routes = [
      coinmRoutes(options, this),
      spotRoutes(this.keyPermissions),
      usdmRoutes(options, this),
      portfolioRoutes(options.portfolio),
    ];
    for (const key of options.keys) this.addKey(key);
  }

  addKey(key: ExchangeKey): void {
    this.signatures.add(key);
  }

  /** Queue a fault for the next matching request (optionally only for one key or path). */
  injectFault(fault: Fault, match: FaultMatch = {}): void {
    this.faults.inject(fault, match);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  serverTime(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Weight used this minute by one client IP, or by the busiest one; `group` "fapi": USD-M's own. */
  usedWeight(ip?: string, group?: string): number {
    return this.meterOf(group).used(ip);
  }

  private meterOf(group: string | undefined): IpWeightMeter {
    if (group === undefined) return this.weights;
    let meter = this.groupWeights.get(group);
    if (!meter) {
      meter = new IpWeightMeter(() => this.serverTime());
      this.groupWeights.set(group, meter);
    }
    return meter;
  }

  /** Valid calls so far of one key to one path. */
  callCount(apiKey: string, path: string): number {
    return this.calls.get(`${apiKey}\n${path}`) ?? 0;
  }

  /** Play a "stream" fault: write until done or the client closes, honouring backpressure. */
  private async stream(res: ServerResponse, fault: Extract<Fault, { kind: "stream" }>): Promise<void> {
    const chunkBytes = fault.chunkBytes ?? 64 * 1024;
    const chunk = Buffer.alloc(chunkBytes, "x");
    let written = 0;
    let closed = false;
    res.on("close", () => {
      closed = true;
    });
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"assets":"');
    while (written < fault.bytes && !closed) {
      const piece = Math.min(chunkBytes, fault.bytes - written);
      const ok = res.write(piece === chunkBytes ? chunk : chunk.subarray(0, piece));
      written += piece;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      else if (!ok) await new Promise<void>((r) => (closed ? r() : res.once("drain", r).once("close", r)));
    }
    if (!closed) res.end('"}');
    this.streamed.push({ written, complete: !closed });
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://loopback");
    const path = url.pathname;
    const apiKeyHeader = req.headers["x-mbx-apikey"];
    const apiKey = typeof apiKeyHeader === "string" ? apiKeyHeader : undefined;
    const ip = (req.socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "");
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));

    const route = this.routes.find((r) => r.weights[path] !== undefined);
    const meter = this.meterOf(route?.weightGroup);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ path, ...(apiKey ? { apiKey } : {}), ip, status, at: Date.now() });
      const text = typeof body === "string" ? body : JSON.stringify(body);
      res.writeHead(status, {
        "content-type": typeof body === "string" && text.startsWith("<") ? "text/html" : "application/json",
        "x-mbx-used-weight-1m": String(meter.header(ip)),
        ...headers,
      });
      res.end(text);
    };

    const weight = route?.weights[path];
    if (!route || weight === undefined || req.method !== "GET") {
      return reply(404, { code: -5000, msg: "Path not found" });
    }
    if (!meter.take(ip, weight, route.weightLimit ?? this.weightLimit)) {
      return reply(
        429,
        { code: -1003, msg: "Too many requests; please use the websocket for live updates." },
        { "retry-after": String(meter.retryAfterSeconds()) },
      );
    }

    const fault = this.faults.take(apiKey, path);
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
      if (fault.kind === "stream") {
        this.requests.push({ path, ...(apiKey ? { apiKey } : {}), ip, status: 200, at: Date.now() });
        return this.stream(res, fault);
      }
    }

    const open = route.unsigned(path);
    if (open !== undefined) return reply(200, open);

    const signed = this.signatures.check(apiKey, (req.url ?? "").split("?")[1] ?? "", this.serverTime());
    if (!("params" in signed)) return reply(signed.status, signed.body);
    // A Portfolio Margin account's key is refused on the classic futures APIs (dapi, fapi).
    if (this.portfolio?.holds(signed.apiKey) && /^\/[df]api\//.test(path)) {
      return reply(INVALID_KEY.status, INVALID_KEY.body);
    }
    // Counted per key and path: a monitor cycle reads account and positionRisk once each, so both
    // calls of one cycle see the same index.
    const counter = `${signed.apiKey}\n${path}`;
    const callIndex = this.calls.get(counter) ?? 0;
    this.calls.set(counter, callIndex + 1);
    const body = route.signed({ path, apiKey: signed.apiKey, callIndex, params: signed.params });
    if (body === undefined) return reply(400, INVALID_KEY.body);
    return reply(200, body);
  }
}
