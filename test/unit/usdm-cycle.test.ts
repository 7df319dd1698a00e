/**
 * The USD-M step of a cycle as pure functions (issue 19): when the book is read (usdm-look.ts),
 * what a read or a failed read does to the alert state (usdm-evaluation.ts), and the linear
 * margin-to-add. COIN-M's pools and health are never touched by the USD-M part.
 */
import { describe, expect, it } from "vitest";
import { HEALTHY } from "../../lib/alerts/policy.js";
import { parseUsdmAccountResponse } from "../../lib/binance/usdm/account.js";
import { joinUsdmPositions } from "../../lib/binance/usdm/join.js";
import { parseUsdmPositionRiskResponse } from "../../lib/binance/usdm/position-risk.js";
import { usdmPools } from "../../lib/binance/usdm/reader.js";
import { loadConfig } from "../../lib/config.js";
import { BinanceAuthError, BinanceUnavailableError, WeightBudgetExceededError } from "../../lib/core/errors.js";
import { createLogger } from "../../lib/core/log.js";
import { parseCredentials } from "../../lib/keys/credentials.js";
import { evaluateAccount } from "../../lib/monitor/account-evaluation.js";
import type { AccountState, AlertStateStore, SecretSource, UsdmSource } from "../../lib/monitor/ports.js";
import { applyUsdmObservation, type UsdmObservation } from "../../lib/monitor/usdm-evaluation.js";
import {
  afterUsdmRead,
  parseUsdmLookState,
  USDM_LOOK_INTERVAL_MS,
  usdmModeCheckDue,
  usdmReadDue,
} from "../../lib/monitor/usdm-look.js";
import { readUsdmIfDue, usdmWorthReading } from "../../lib/monitor/usdm-read.js";
import { DEFAULT_ALERT_LEVELS, DEFAULT_DISTANCE_LEVELS } from "../../lib/risk/levels.js";
import { type AssessedPool, assessPools } from "../../lib/risk/pools.js";
import { marginToAddForPool } from "../../lib/risk/remedy.js";
import {
  type LinearAccount,
  usdmAccountBodyOf,
  usdmPositionRiskBodyOf,
  usdtCrossAtRatio,
  withLinearMarks,
} from "../../sim/engine/usdm/bodies.js";

const config = loadConfig({
  SNAPSHOT_TABLE: "t",
  ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:t",
  ACCOUNTS: '[{"name": "a", "secretId": "s"}]',
});
const DAY = USDM_LOOK_INTERVAL_MS;
const T0 = Date.UTC(2026, 10, 24, 12);

function assessed(account: LinearAccount): AssessedPool[] {
  const parsed = parseUsdmAccountResponse(usdmAccountBodyOf(account));
  const positions = joinUsdmPositions(parsed, parseUsdmPositionRiskResponse(usdmPositionRiskBodyOf(account)));
  return assessPools(usdmPools(parsed, positions, account.multiAssets === true), {
    ratio: DEFAULT_ALERT_LEVELS,
    distance: DEFAULT_DISTANCE_LEVELS,
  });
}

const read = (pools: AssessedPool[], empty = false): UsdmObservation => ({
  ok: true,
  pools,
  empty,
  multiAssets: false,
  modeChecked: true,
});
const failed: UsdmObservation = { ok: false, kind: "binance-unavailable", message: "HTTP 503", needsHuman: false };
const EMPTY: AccountState = { version: 1, pools: {}, health: HEALTHY, outbox: {} };

describe("when the USD-M book is read", () => {
  it("a new account looks at once; an empty book once a day; a held one every cycle", () => {
    expect(usdmReadDue(undefined, T0)).toBe(true);
    const empty = afterUsdmRead(undefined, { empty: true, multiAssets: undefined, modeChecked: false }, T0, HEALTHY);
    expect(usdmReadDue(empty, T0 + 60_000)).toBe(false);
    expect(usdmReadDue(empty, T0 + DAY - 1)).toBe(false);
    expect(usdmReadDue(empty, T0 + DAY)).toBe(true);
    const held = afterUsdmRead(empty, { empty: false, multiAssets: false, modeChecked: true }, T0, HEALTHY);
    expect(usdmReadDue(held, T0 + 60_000)).toBe(true);
  });

  it("after a failed read it is due again next cycle, empty or not (the cannot-read policy counts per cycle)", () => {
    const empty = afterUsdmRead(undefined, { empty: true, multiAssets: undefined, modeChecked: false }, T0, HEALTHY);
    const failing = { ...empty, health: { consecutiveFailures: 1, alerted: false } };
    expect(usdmReadDue(failing, T0 + 60_000)).toBe(true);
  });

  it("the mode is asked when never seen, then once a day", () => {
    expect(usdmModeCheckDue(undefined, T0)).toBe(true);
    const held = afterUsdmRead(undefined, { empty: false, multiAssets: true, modeChecked: true }, T0, HEALTHY);
    expect(held).toMatchObject({ multiAssets: true, modeCheckedAt: T0, holds: true, lastReadAt: T0 });
    expect(usdmModeCheckDue(held, T0 + DAY - 1)).toBe(false);
    expect(usdmModeCheckDue(held, T0 + DAY)).toBe(true);
    // A read that did not ask keeps the last answer and when it came.
    const later = afterUsdmRead(held, { empty: false, multiAssets: true, modeChecked: false }, T0 + 60_000, HEALTHY);
    expect(later).toMatchObject({ multiAssets: true, modeCheckedAt: T0, lastReadAt: T0 + 60_000 });
  });

  it("stored state reads back field by field; anything malformed is 'never looked' (a look is harmless)", () => {
    const state = afterUsdmRead(undefined, { empty: false, multiAssets: false, modeChecked: true }, T0, {
      consecutiveFailures: 2,
      alerted: true,
      lastErrorKind: "binance-unavailable",
    });
    expect(parseUsdmLookState(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(parseUsdmLookState("nonsense")).toBeUndefined();
    expect(parseUsdmLookState({ holds: "yes", lastReadAt: "x" })).toEqual({ holds: false, health: HEALTHY });
  });

  it("a COIN-M failure that is the key's (or the secret's) skips USD-M; a dapi outage or full minute does not", () => {
    expect(usdmWorthReading(undefined)).toBe(true);
    expect(usdmWorthReading(new BinanceUnavailableError("503"))).toBe(true);
    expect(usdmWorthReading(new WeightBudgetExceededError("full"))).toBe(true);
    expect(usdmWorthReading(new BinanceAuthError("-2015"))).toBe(false);
    expect(usdmWorthReading(new Error("secret"))).toBe(false);
  });
});

describe("what a USD-M observation does to the alert state", () => {
  const cycle = (n: number) => new Date(T0 + n * 60_000);

  it("a pool at 88% escalates once, by its own id and label; COIN-M's state is left as it was", () => {
    const prev: AccountState = { ...EMPTY, pools: { BTC: { level: "warning", lastNotifiedAt: T0 } } };
    const { state, alerts } = applyUsdmObservation(config, prev, read(assessed(usdtCrossAtRatio(0.88))), "a", cycle(0));
    expect(alerts).toEqual([
      expect.objectContaining({
        type: "margin",
        pool: "usdm:USDT",
        poolLabel: "USDT cross (USD-M)",
        product: "usdm",
        level: "critical",
      }),
    ]);
    expect(state.pools.BTC).toEqual(prev.pools.BTC);
    expect(state.pools["usdm:USDT"]).toMatchObject({ level: "critical", label: "USDT cross (USD-M)" });
    expect(state.usdm).toMatchObject({ holds: true, lastReadAt: T0, health: HEALTHY });
  });

  it("failures keep the USD-M pools' state and count on USD-M's own record: one alert after 3, one on restore", () => {
    let state = applyUsdmObservation(config, EMPTY, read(assessed(usdtCrossAtRatio(0.88))), "a", cycle(0)).state;
    const notices: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const out = applyUsdmObservation(config, state, failed, "a", cycle(i));
      state = out.state;
      notices.push(...out.alerts.map((a) => `${a.type}:${a.type === "health" ? `${a.product}:${a.notice}` : ""}`));
    }
    expect(notices).toEqual(["health:usdm:unreachable"]);
    expect(state.pools["usdm:USDT"]?.level).toBe("critical");
    expect(state.health).toEqual(HEALTHY);
    const back = applyUsdmObservation(config, state, read(assessed(usdtCrossAtRatio(0.88))), "a", cycle(5));
    expect(back.alerts.map((a) => (a.type === "health" ? a.notice : a.type))).toEqual(["restored"]);
  });

  it("a COIN-M read never judges (nor drops) USD-M pools; a USD-M read that finds the book empty recovers them", () => {
    const held = applyUsdmObservation(config, EMPTY, read(assessed(usdtCrossAtRatio(0.88))), "a", cycle(0)).state;
    const coinm = evaluateAccount(config, held, [], { ok: true }, undefined, "a", cycle(1), cycle(1).getTime());
    expect(coinm.alerts).toEqual([]);
    expect(coinm.state.pools["usdm:USDT"]?.level).toBe("critical");
    const emptied = applyUsdmObservation(config, coinm.state, read([], true), "a", cycle(2));
    expect(emptied.alerts).toEqual([expect.objectContaining({ pool: "usdm:USDT", notice: "recovered" })]);
    expect(emptied.state.usdm).toMatchObject({ holds: false });
  });

  it("no observation (not due, off, deferred) changes nothing", () => {
    expect(applyUsdmObservation(config, EMPTY, undefined, "a", cycle(0))).toEqual({ state: EMPTY, alerts: [] });
  });
});

describe("margin to add for a linear pool", () => {
  it("moves the liquidation price to the target distance exactly (collateral − requirement is linear in the mark)", () => {
    const account = usdtCrossAtRatio(0.88);
    const [pool] = assessed(account);
    if (!pool) throw new Error("no pool");
    const toAdd = marginToAddForPool(pool, 0.5, 0.1);
    expect(toAdd).toBeDefined();
    // With the margin added, at a mark 10% below, the pool sits at its liquidation point.
    const topped: LinearAccount = { ...account, wallets: { USDT: (account.wallets.USDT ?? 0) + Number(toAdd) } };
    const [at] = assessed(withLinearMarks(topped, { BTCUSDT: 54_000 }));
    expect(at?.ratio).toBeGreaterThan(0.999);
    expect(at?.ratio).toBeLessThanOrEqual(1);
  });
});

describe("the cycle's USD-M step (readUsdmIfDue), with narrow in-process ports", () => {
  const log = createLogger({ level: "error", sink: () => {} });
  const credentials = parseCredentials(JSON.stringify({ apiKey: "k".repeat(64), apiSecret: "s".repeat(64) }));
  const secrets: SecretSource = { getCredentials: async () => credentials };
  const stateOf = (s: AccountState): AlertStateStore => ({ loadState: async () => s }) as unknown as AlertStateStore;
  const account = config.accounts[0] ?? { name: "a", secretId: "s" };

  it("a full fapi minute is a failed USD-M read (never silence); a book not due makes no call", async () => {
    let calls = 0;
    const full: UsdmSource = {
      getUsdmAccount: async () => {
        calls++;
        throw new WeightBudgetExceededError("per-minute request weight budget reached");
      },
    };
    const deps = { secrets, state: stateOf(EMPTY), usdm: full };
    const step = await readUsdmIfDue(config, deps, account, new Date(T0), T0 + 5000, log, undefined);
    expect(step.observation).toMatchObject({ ok: false, kind: "weight-deferred", needsHuman: false });
    const lookedEmpty: AccountState = {
      ...EMPTY,
      usdm: afterUsdmRead(undefined, { empty: true, multiAssets: undefined, modeChecked: false }, T0, HEALTHY),
    };
    const later = await readUsdmIfDue(
      config,
      { ...deps, state: stateOf(lookedEmpty) },
      account,
      new Date(T0 + 60_000),
      T0 + 65_000,
      log,
      undefined,
    );
    expect(later.observation).toBeUndefined();
    expect(calls).toBe(1);
  });

  it("USDM off, the account's usdm: false, or a refused key read nothing", async () => {
    let calls = 0;
    const usdm: UsdmSource = {
      getUsdmAccount: async () => {
        calls++;
        throw new Error("not reached");
      },
    };
    const deps = { secrets, state: stateOf(EMPTY), usdm };
    const at = new Date(T0);
    await readUsdmIfDue({ ...config, usdm: false }, deps, account, at, T0 + 5000, log, undefined);
    await readUsdmIfDue(config, deps, { ...account, usdm: false }, at, T0 + 5000, log, undefined);
    await readUsdmIfDue(config, deps, account, at, T0 + 5000, log, new BinanceAuthError("-2015"));
    expect(calls).toBe(0);
  });
});
