import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BinanceClient } from "../../lib/binance/client.js";
import { parseAccountResponse } from "../../lib/binance/coinm/account.js";
import { WeightGovernor } from "../../lib/binance/common/weight-governor.js";
import { createLogger } from "../../lib/core/log.js";
import { parseCredentials } from "../../lib/keys/credentials.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { accountResponse, positionRiskRows } from "../../sim/engine/coinm/bodies.js";
import { MarginEngine } from "../../sim/engine/coinm/engine.js";
import { hedgeSplitExample, isolatedNearLiquidationExample } from "../../sim/engine/coinm/examples.js";
import { ACCOUNT_PATH, EXCHANGE_INFO_PATH, POSITION_RISK_PATH } from "../../sim/exchange/coinm/routes.js";
import { LoopbackExchange } from "../../sim/exchange/exchange.js";
import { asymmetricKey, hmacKey, type TestKey } from "../support/harness.js";

const hedged = hmacKey("hedged");
const isolated = asymmetricKey("isolated", "ed25519");
const plain = hmacKey("plain");
const scripted = hmacKey("scripted");

const engine = new MarginEngine([
  [hedged.exchangeKey.apiKey, hedgeSplitExample(66_000)],
  [isolated.exchangeKey.apiKey, isolatedNearLiquidationExample(60_000)],
]);
const scriptedRows = [
  { symbol: "BTCUSD_PERP", positionAmt: "1", marginType: "cross", positionSide: "BOTH" },
  { symbol: "ETHUSD_PERP", positionAmt: "2", marginType: "cross", positionSide: "BOTH" },
];
let exchange: LoopbackExchange;
let baseUrl: string;
const log = createLogger({ level: "error", sink: () => {} });

beforeAll(async () => {
  exchange = new LoopbackExchange({
    keys: [hedged, isolated, plain, scripted].map((k) => k.exchangeKey),
    engine,
    account: (_key, i) => accountBody([btcAtRatio(0.1 + i / 100)]),
    positionRisk: (key) => (key === scripted.exchangeKey.apiKey ? JSON.stringify(scriptedRows) : undefined),
  });
  baseUrl = await exchange.start();
});
afterAll(() => exchange.stop());
beforeEach(() => {
  exchange.requests.length = 0;
  exchange.clearFaults();
});

/** A signed GET as the monitor's client sends it (same signer, same query layout). */
async function signedGet(
  key: TestKey,
  path: string,
  extra = "",
): Promise<{ status: number; body: unknown; weight: number }> {
  const credentials = parseCredentials(key.secretValue);
  const query = `${extra}recvWindow=5000&timestamp=${Date.now()}`;
  const res = await fetch(`${baseUrl}${path}?${query}&signature=${credentials.signer.sign(query)}`, {
    headers: { "X-MBX-APIKEY": credentials.apiKey },
  });
  return { status: res.status, body: await res.json(), weight: Number(res.headers.get("x-mbx-used-weight-1m")) };
}

describe("loopback exchange with a margin engine", () => {
  it("serves the engine's positionRisk rows to a signed call, at weight 1", async () => {
    const before = exchange.usedWeight();
    const read = await signedGet(hedged, POSITION_RISK_PATH);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(positionRiskRows(hedgeSplitExample(66_000)));
    expect(read.weight - before).toBe(1);
    expect(read.body).toContainEqual(
      expect.objectContaining({ symbol: "BTCUSD_PERP", positionSide: "SHORT", liquidationPrice: "66039.82300885" }),
    );
  });

  it("serves the account body from the same state through the monitor's client, at weight 5 + 1", async () => {
    const client = new BinanceClient({ baseUrl, recvWindowMs: 5000, governor: new WeightGovernor({ limit: 2400 }) });
    const before = exchange.usedWeight();
    const read = await client.getAccount(parseCredentials(isolated.secretValue), Date.now() + 10_000, log);
    // /account (5) and /positionRisk (1): one read of the account.
    expect(exchange.usedWeight() - before).toBe(6);
    expect(read.account).toEqual(
      parseAccountResponse(JSON.stringify(accountResponse(isolatedNearLiquidationExample(60_000)))),
    );
  });

  it("moves prices, not fields: a mark change shows in both bodies of the next calls", async () => {
    engine.setMark("BTCUSD_PERP", 57_000);
    try {
      const rows = (await signedGet(isolated, POSITION_RISK_PATH)).body as Array<Record<string, string>>;
      expect(rows[0]).toMatchObject({ markPrice: "57000.00000000", liquidationPrice: "56968.48310785" });
      const account = (await signedGet(isolated, ACCOUNT_PATH)).body as { assets: Array<Record<string, string>> };
      expect(account.assets[0]).toMatchObject({ marginBalance: "5.02924211", maintMargin: "0.02631579" });
      const hedgedRows = (await signedGet(hedged, POSITION_RISK_PATH)).body as Array<Record<string, string>>;
      expect(hedgedRows.find((r) => r.positionSide === "SHORT")?.markPrice).toBe("57000.00000000");
    } finally {
      engine.setMark("BTCUSD_PERP", 66_000);
    }
  });

  it("filters by marginAsset and pair as Binance does", async () => {
    const none = await signedGet(hedged, POSITION_RISK_PATH, "marginAsset=ETH&");
    expect(none.body).toEqual([]);
    const btc = (await signedGet(hedged, POSITION_RISK_PATH, "pair=BTCUSD&")).body as unknown[];
    expect(btc).toHaveLength(6);
    const scriptedEth = await signedGet(scripted, POSITION_RISK_PATH, "marginAsset=ETH&");
    expect(scriptedEth.body).toEqual([scriptedRows[1]]);
  });

  it("derives positionRisk from the account body for keys outside the engine", async () => {
    const rows = (await signedGet(plain, POSITION_RISK_PATH)).body as Array<Record<string, unknown>>;
    expect(rows).toEqual([
      expect.objectContaining({
        symbol: "BTCUSD_PERP",
        positionAmt: "10",
        marginType: "cross",
        markPrice: "60000.0",
        liquidationPrice: "0",
        isolatedMargin: "0.00000000",
        notionalValue: "0.01666667",
        positionSide: "BOTH",
      }),
    ]);
    expect((await signedGet(scripted, POSITION_RISK_PATH)).body).toEqual(scriptedRows);
  });

  it("counts call indexes per key and per path", async () => {
    const key = plain.exchangeKey.apiKey;
    const accountCalls = exchange.callCount(key, ACCOUNT_PATH);
    const riskCalls = exchange.callCount(key, POSITION_RISK_PATH);
    const first = (await signedGet(plain, ACCOUNT_PATH)).body as { assets: Array<Record<string, string>> };
    await signedGet(plain, POSITION_RISK_PATH);
    await signedGet(plain, POSITION_RISK_PATH);
    const second = (await signedGet(plain, ACCOUNT_PATH)).body as { assets: Array<Record<string, string>> };
    expect(exchange.callCount(key, ACCOUNT_PATH)).toBe(accountCalls + 2);
    expect(exchange.callCount(key, POSITION_RISK_PATH)).toBe(riskCalls + 2);
    // The account fixture's ratio is 0.1 + index/100: the positionRisk calls did not advance it.
    expect(Number(second.assets[0]?.maintMargin) - Number(first.assets[0]?.maintMargin)).toBeCloseTo(0.01, 8);
  });

  it("checks positionRisk's signature like the account's", async () => {
    const credentials = parseCredentials(hedged.secretValue);
    const query = `recvWindow=5000&timestamp=${Date.now()}`;
    const res = await fetch(`${baseUrl}${POSITION_RISK_PATH}?${query}&signature=${"0".repeat(64)}`, {
      headers: { "X-MBX-APIKEY": credentials.apiKey },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: -1022 });
  });

  it("serves exchangeInfo publicly at weight 1 with margin asset and contract size", async () => {
    const before = exchange.usedWeight();
    const res = await fetch(`${baseUrl}${EXCHANGE_INFO_PATH}`);
    expect(res.status).toBe(200);
    expect(exchange.usedWeight() - before).toBe(1);
    const info = (await res.json()) as { rateLimits: unknown[]; symbols: Array<Record<string, unknown>> };
    expect(info.rateLimits).toContainEqual(
      expect.objectContaining({ rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", limit: 2400 }),
    );
    expect(info.symbols).toContainEqual(
      expect.objectContaining({
        symbol: "BTCUSD_PERP",
        marginAsset: "BTC",
        contractSize: 100,
        contractType: "PERPETUAL",
      }),
    );
    expect(info.symbols).toContainEqual(
      expect.objectContaining({ symbol: "BTCUSD_261225", pair: "BTCUSD", contractType: "CURRENT_QUARTER" }),
    );
    expect(info.symbols).toContainEqual(expect.objectContaining({ symbol: "ETHUSD_PERP", contractSize: 10 }));
  });
});
