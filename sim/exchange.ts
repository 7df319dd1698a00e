/**
 * A loopback stand-in for Binance COIN-M that checks requests the way the real one does:
 * API key, signature over the exact query string (HMAC hex, RSA and Ed25519 base64), timestamp
 * within recvWindow of its own clock, and per-minute request weight per client IP, as Binance
 * counts it (429 past the limit; clients bound to 127.0.0.2, .3, ... count apart). It can
 * play faults on demand. Used by the tests, the benchmarks and the local demo; never in production.
 */
import { createHmac, createPublicKey, type KeyObject, timingSafeEqual, verify } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { API_RESTRICTIONS_PATH, API_RESTRICTIONS_WEIGHT, KeyPermissionTable } from "./key-permissions.js";
import { LoopbackService } from "./loopback-server.js";
import {
  accountBodyOf,
  contractSizeOf,
  type EngineSource,
  marginAssetOf,
  type PositionRiskFilter,
  pairOf,
  positionRiskBodyOf,
} from "./margin-engine.js";

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
  /**
   * Body of a key's `/dapi/v1/account` call, for keys the engine does not hold. `callIndex` counts
   * that key's valid calls to that path (0, 1, ...).
   */
  readonly account?: (apiKey: string, callIndex: number) => string;
  /**
   * Body of a key's `/dapi/v1/positionRisk` call, for keys the engine does not hold. Without it, or
   * when it returns undefined, the rows are derived from the account body of the same call index
   * (see positionRiskFromAccountBody).
   */
  readonly positionRisk?: (apiKey: string, callIndex: number) => string | undefined;
  /** Margin engine: both signed bodies of the keys it holds are computed from its state at request time. */
  readonly engine?: EngineSource;
  /** Symbols listed by `/dapi/v1/exchangeInfo` besides DEFAULT_SYMBOLS. */
  readonly symbols?: readonly string[];
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

export const ACCOUNT_PATH = "/dapi/v1/account";
export const POSITION_RISK_PATH = "/dapi/v1/positionRisk";
export const EXCHANGE_INFO_PATH = "/dapi/v1/exchangeInfo";
export const TIME_PATH = "/dapi/v1/time";

/** Documented request weights (Binance COIN-M REST docs). */
export const WEIGHTS: Readonly<Record<string, number>> = {
  [ACCOUNT_PATH]: 5,
  [POSITION_RISK_PATH]: 1,
  [EXCHANGE_INFO_PATH]: 1,
  [TIME_PATH]: 1,
  // The spot API's, served here too (sim/key-permissions.ts); one weight counter for both APIs.
  [API_RESTRICTIONS_PATH]: API_RESTRICTIONS_WEIGHT,
};

/** Symbols every exchangeInfo lists: the perpetuals of the assets the fixtures use, and BTC quarterlies. */
export const DEFAULT_SYMBOLS: readonly string[] = [
  "BTCUSD_PERP",
  "BTCUSD_261225",
  "BTCUSD_270326",
  "ETHUSD_PERP",
  "ETHUSD_261225",
  "BNBUSD_PERP",
  "ADAUSD_PERP",
  "DOTUSD_PERP",
  "LINKUSD_PERP",
];

/** Delivery at 08:00 UTC on the date in the symbol (BTCUSD_261225 -> 2026-12-25). */
function deliveryDate(symbol: string): number {
  const m = /_(\d{2})(\d{2})(\d{2})$/.exec(symbol);
  if (!m) return 4_133_404_800_000; // Binance's "never" for perpetuals (2100-12-25)
  return Date.UTC(2000 + Number(m[1]), Number(m[2]) - 1, Number(m[3]), 8);
}

/** The `GET /dapi/v1/exchangeInfo` response: the fields a client needs, shaped like Binance's. */
export function exchangeInfoResponse(
  symbols: readonly string[],
  weightLimit: number,
  serverTime: number,
): Record<string, unknown> {
  const unique = [...new Set(symbols)];
  const quarterlies = (asset: string) =>
    unique
      .filter((s) => !s.endsWith("_PERP") && marginAssetOf(s) === asset)
      .sort((a, b) => deliveryDate(a) - deliveryDate(b));
  return {
    timezone: "UTC",
    serverTime,
    rateLimits: [
      { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: weightLimit },
      { rateLimitType: "ORDERS", interval: "MINUTE", intervalNum: 1, limit: 1200 },
    ],
    exchangeFilters: [],
    symbols: unique.map((symbol) => {
      const asset = marginAssetOf(symbol);
      const perpetual = symbol.endsWith("_PERP");
      return {
        symbol,
        pair: pairOf(symbol),
        contractType: perpetual
          ? "PERPETUAL"
          : quarterlies(asset).indexOf(symbol) === 0
            ? "CURRENT_QUARTER"
            : "NEXT_QUARTER",
        deliveryDate: deliveryDate(symbol),
        onboardDate: 1_597_042_800_000,
        contractStatus: "TRADING",
        contractSize: contractSizeOf(symbol),
        marginAsset: asset,
        maintMarginPercent: "2.5000",
        requiredMarginPercent: "5.0000",
        baseAsset: asset,
        quoteAsset: "USD",
        pricePrecision: 1,
        quantityPrecision: 0,
        baseAssetPrecision: 8,
        quotePrecision: 8,
        equalQtyPrecision: 4,
        triggerProtect: "0.0500",
        underlyingType: "COIN",
        underlyingSubType: [],
        filters: [],
        orderTypes: [
          "LIMIT",
          "MARKET",
          "STOP",
          "TAKE_PROFIT",
          "STOP_MARKET",
          "TAKE_PROFIT_MARKET",
          "TRAILING_STOP_MARKET",
        ],
        timeInForce: ["GTC", "IOC", "FOK", "GTX"],
        liquidationFee: "0.010000",
        marketTakeBound: "0.05",
      };
    }),
  };
}

/**
 * positionRisk rows consistent with an account body that has no engine behind it: every position
 * as the body says (cross unless `isolated`), marked at its entry price (so PnL is the body's),
 * no liquidation price, no isolated margin. A body that is not a JSON object is returned as it is,
 * so a malformed account body makes both calls fail alike.
 */
export function positionRiskFromAccountBody(body: string, filter: PositionRiskFilter = {}): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return body;
  const positions = (parsed as { positions?: unknown }).positions;
  const rows = (Array.isArray(positions) ? positions : []).flatMap((entry: unknown) => {
    if (typeof entry !== "object" || entry === null) return [];
    const p = entry as Record<string, unknown>;
    const symbol = typeof p.symbol === "string" ? p.symbol : "";
    const text = (v: unknown, fallback: string) => (typeof v === "string" ? v : fallback);
    const amount = Number(text(p.positionAmt, "0"));
    const entryPrice = text(p.entryPrice, "0.0");
    let notionalValue = "0";
    try {
      const price = Number(entryPrice);
      if (amount !== 0 && price > 0) notionalValue = ((amount * contractSizeOf(symbol)) / price).toFixed(8);
    } catch {
      // Not a COIN-M symbol: the row stays without a notional.
    }
    return [
      {
        symbol,
        positionAmt: text(p.positionAmt, "0"),
        entryPrice,
        breakEvenPrice: text(p.breakEvenPrice, entryPrice),
        markPrice: entryPrice,
        unRealizedProfit: text(p.unrealizedProfit, "0.00000000"),
        liquidationPrice: "0",
        leverage: text(p.leverage, "20"),
        maxQty: text(p.maxQty, "50"),
        marginType: p.isolated === true ? "isolated" : "cross",
        isolatedMargin: "0.00000000",
        isolatedWallet: "0",
        notionalValue,
        isAutoAddMargin: "false",
        positionSide: text(p.positionSide, "BOTH"),
        updateTime: typeof p.updateTime === "number" ? p.updateTime : 0,
      },
    ];
  });
  return JSON.stringify(filterRows(rows, filter));
}

function matchesFilter(symbol: unknown, filter: PositionRiskFilter): boolean {
  if (!filter.marginAsset && !filter.pair) return true;
  if (typeof symbol !== "string") return false;
  try {
    return (
      (!filter.marginAsset || marginAssetOf(symbol) === filter.marginAsset) &&
      (!filter.pair || pairOf(symbol) === filter.pair)
    );
  } catch {
    return false;
  }
}

function filterRows<T>(rows: readonly T[], filter: PositionRiskFilter): T[] {
  return rows.filter((r) => matchesFilter((r as { symbol?: unknown }).symbol, filter));
}

export class LoopbackExchange extends LoopbackService {
  private readonly verifiers = new Map<string, (payload: string, signature: string) => boolean>();
  private readonly faults: { apiKey?: string; path?: string; fault: Fault }[] = [];
  private readonly calls = new Map<string, number>();
  private window = -1;
  /** Weight used in the current minute, per client IP. */
  private readonly usedByIp = new Map<string, number>();
  readonly requests: RecordedRequest[] = [];
  /** Each key's permission flags for the spot API's apiRestrictions endpoint. */
  readonly keyPermissions = new KeyPermissionTable();
  clockOffsetMs: number;
  latencyMs: number;
  weightLimit: number;

  constructor(private readonly options: ExchangeOptions) {
    super();
    if (!options.account && !options.engine) throw new Error("LoopbackExchange needs an account body or an engine");
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
    // A fault without a path plays on the futures API: the spot API is another host in reality.
    const i = this.faults.findIndex(
      (f) => (!f.apiKey || f.apiKey === apiKey) && (f.path ? f.path === path : !path.startsWith("/sapi/")),
    );
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

    if (path === TIME_PATH) return reply(200, { serverTime: this.serverTime() });
    if (path === EXCHANGE_INFO_PATH) {
      return reply(
        200,
        exchangeInfoResponse(
          [...DEFAULT_SYMBOLS, ...(this.options.symbols ?? [])],
          this.weightLimit,
          this.serverTime(),
        ),
      );
    }

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

    if (path === API_RESTRICTIONS_PATH) return reply(200, this.keyPermissions.body(apiKey));
    // Counted per key and path: a monitor cycle reads account and positionRisk once each, so both
    // calls of one cycle see the same index.
    const counter = `${apiKey}\n${path}`;
    const index = this.calls.get(counter) ?? 0;
    this.calls.set(counter, index + 1);
    const body = this.signedBody(path, apiKey, index, {
      ...(params.get("marginAsset") ? { marginAsset: params.get("marginAsset") ?? "" } : {}),
      ...(params.get("pair") ? { pair: params.get("pair") ?? "" } : {}),
    });
    if (body === undefined) return reply(400, { code: -2015, msg: "Invalid API-key, IP, or permissions for action." });
    return reply(200, body);
  }

  /** Valid calls so far of one key to one path. */
  callCount(apiKey: string, path: string): number {
    return this.calls.get(`${apiKey}\n${path}`) ?? 0;
  }

  private signedBody(path: string, apiKey: string, index: number, filter: PositionRiskFilter): string | undefined {
    const state = this.options.engine?.account(apiKey, index);
    if (path === ACCOUNT_PATH) return state ? accountBodyOf(state) : this.options.account?.(apiKey, index);
    if (state) return positionRiskBodyOf(state, filter);
    const given = this.options.positionRisk?.(apiKey, index);
    if (given !== undefined) return filterBody(given, filter);
    const account = this.options.account?.(apiKey, index);
    return account === undefined ? undefined : positionRiskFromAccountBody(account, filter);
  }
}

/** Apply positionRisk's filters to a scripted body when it is a JSON array; anything else stays as given. */
function filterBody(body: string, filter: PositionRiskFilter): string {
  if (!filter.marginAsset && !filter.pair) return body;
  try {
    const rows: unknown = JSON.parse(body);
    return Array.isArray(rows) ? JSON.stringify(filterRows(rows, filter)) : body;
  } catch {
    return body;
  }
}
