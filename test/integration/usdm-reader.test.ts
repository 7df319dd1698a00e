/**
 * The USD-M read through the real signed protocol against the loopback exchange (issue 19): the
 * fapi client signs, resyncs on /fapi/v1/time, spends weight from a governor of its own, reads an
 * empty book with one call and a held one with both views (plus the mode check when due).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BinanceClient } from "../../lib/binance/client.js";
import { WeightGovernor } from "../../lib/binance/common/weight-governor.js";
import { USDM_WEIGHT_LIMIT } from "../../lib/binance/usdm/reader.js";
import { BinanceUnavailableError, WeightBudgetExceededError } from "../../lib/core/errors.js";
import { createLogger } from "../../lib/core/log.js";
import { parseCredentials } from "../../lib/keys/credentials.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { usdtCrossAtRatio } from "../../sim/engine/usdm/bodies.js";
import { UsdmEngine } from "../../sim/engine/usdm/engine.js";
import { LoopbackExchange } from "../../sim/exchange/exchange.js";
import { hmacKey } from "../support/harness.js";

const holder = hmacKey("holder");
const empty = hmacKey("empty");
const multi = hmacKey("multi");
const usdmEngine = new UsdmEngine([
  [holder.exchangeKey.apiKey, usdtCrossAtRatio(0.6)],
  [multi.exchangeKey.apiKey, { ...usdtCrossAtRatio(0.3), multiAssets: true }],
]);

let exchange: LoopbackExchange;
let baseUrl: string;
const log = createLogger({ level: "warn", sink: () => {} });

beforeAll(async () => {
  exchange = new LoopbackExchange({
    keys: [holder.exchangeKey, empty.exchangeKey, multi.exchangeKey],
    account: () => accountBody([btcAtRatio(0.3)]),
    usdmEngine,
  });
  baseUrl = await exchange.start();
});
afterAll(() => exchange.stop());
beforeEach(() => {
  exchange.clearFaults();
  exchange.clockOffsetMs = 0;
  exchange.requests.length = 0;
});

function client(usdmGovernor = new WeightGovernor({ limit: USDM_WEIGHT_LIMIT })) {
  const governor = new WeightGovernor({ limit: 2400 });
  const c = new BinanceClient({
    baseUrl,
    usdmBaseUrl: baseUrl,
    recvWindowMs: 5000,
    governor,
    usdmGovernor,
    backoffBaseMs: 5,
    backoffCapMs: 20,
  });
  return { c, governor, usdmGovernor };
}

const deadline = () => Date.now() + 10_000;
const paths = () => exchange.requests.map((r) => r.path);

describe("USD-M reader against the loopback exchange", () => {
  it("an empty book costs one /fapi/v3/account call (5) from fapi's governor, none from dapi's", async () => {
    const { c, governor, usdmGovernor } = client();
    const read = await c.getUsdmAccount(parseCredentials(empty.secretValue), deadline(), log, {
      expectHoldings: false,
      checkMode: true,
      multiAssets: undefined,
    });
    expect(read).toMatchObject({ empty: true, pools: [], positions: [] });
    expect(paths()).toEqual(["/fapi/v3/account"]);
    expect(usdmGovernor.usedWeight()).toBe(5);
    expect(governor.usedWeight()).toBe(0);
    expect(exchange.usedWeight(undefined, "fapi")).toBe(5);
  });

  it("a held book reads both views and, when due, the mode (5 + 5 + 30)", async () => {
    const { c } = client();
    const before = exchange.usedWeight(undefined, "fapi");
    const read = await c.getUsdmAccount(parseCredentials(holder.secretValue), deadline(), log, {
      expectHoldings: true,
      checkMode: true,
      multiAssets: undefined,
    });
    expect(paths()).toEqual(["/fapi/v3/account", "/fapi/v3/positionRisk", "/fapi/v1/multiAssetsMargin"]);
    expect(exchange.usedWeight(undefined, "fapi") - before).toBe(40);
    expect(read).toMatchObject({ empty: false, multiAssets: false, modeChecked: true });
    expect(read.pools.map((p) => [p.id, p.label])).toEqual([["usdm:USDT", "USDT cross (USD-M)"]]);
    expect(read.pools[0]?.ratio).toBeCloseTo(0.6, 8);
    expect(read.positions[0]).toMatchObject({ product: "usdm", symbol: "BTCUSDT", marginAsset: "USDT" });
  });

  it("between daily checks the mode is the stored one: no multiAssetsMargin call", async () => {
    const { c } = client();
    const read = await c.getUsdmAccount(parseCredentials(multi.secretValue), deadline(), log, {
      expectHoldings: true,
      checkMode: false,
      multiAssets: true,
    });
    expect(paths()).toEqual(["/fapi/v3/account", "/fapi/v3/positionRisk"]);
    expect(read.pools.map((p) => p.id)).toEqual(["usdm:USD"]);
    expect(read.modeChecked).toBe(false);
  });

  it("resyncs its clock on /fapi/v1/time after -1021", async () => {
    exchange.clockOffsetMs = 30_000;
    const { c } = client();
    const read = await c.getUsdmAccount(parseCredentials(holder.secretValue), deadline(), log, {
      expectHoldings: true,
      checkMode: false,
      multiAssets: false,
    });
    expect(read.pools).toHaveLength(1);
    expect(paths()).toContain("/fapi/v1/time");
    expect(c.clockOffsetMs()).toBeGreaterThan(25_000);
  });

  it("a fapi outage is a USD-M error; a full fapi minute defers it without touching dapi's budget", async () => {
    exchange.injectFault({ kind: "status", status: 503, body: "" }, { path: "/fapi/v3/account", times: 10 });
    const { c } = client();
    await expect(
      c.getUsdmAccount(parseCredentials(holder.secretValue), Date.now() + 1_000, log, {
        expectHoldings: true,
        checkMode: false,
        multiAssets: false,
      }),
    ).rejects.toBeInstanceOf(BinanceUnavailableError);
    exchange.clearFaults();
    const full = new WeightGovernor({ limit: 10 });
    full.tryAcquire(10);
    const { c: starved, governor } = client(full);
    await expect(
      starved.getUsdmAccount(parseCredentials(holder.secretValue), deadline(), log, {
        expectHoldings: true,
        checkMode: false,
        multiAssets: false,
      }),
    ).rejects.toBeInstanceOf(WeightBudgetExceededError);
    expect(governor.usedWeight()).toBe(0);
  });
});
