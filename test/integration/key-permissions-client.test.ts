/**
 * BinanceClient.getKeyPermissions against loopback exchanges: the call goes to the spot base URL,
 * signed like the account call, counted by the weight governor, and a spot-API limit or ban
 * never throttles the futures calls.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BinanceClient } from "../../lib/binance/client.js";
import { WeightGovernor } from "../../lib/binance/common/weight-governor.js";
import { API_RESTRICTIONS_PATH, DANGEROUS_FLAGS } from "../../lib/binance/spot/key-permissions.js";
import {
  BinanceAuthError,
  BinanceIpBanError,
  BinanceRateLimitError,
  BinanceRequestError,
  BinanceResponseFormatError,
  WeightBudgetExceededError,
} from "../../lib/core/errors.js";
import { createLogger, silentLogger } from "../../lib/core/log.js";
import { parseCredentials } from "../../lib/keys/credentials.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { LoopbackExchange } from "../../sim/exchange/exchange.js";
import { apiRestrictionsBody, READ_ONLY } from "../../sim/exchange/spot/key-permissions.js";
import { asymmetricKey, hmacKey } from "../support/harness.js";

const hmac = hmacKey("hmac");
const ed = asymmetricKey("ed", "ed25519");
let futures: LoopbackExchange;
let spot: LoopbackExchange;
let futuresUrl: string;
let spotUrl: string;

beforeAll(async () => {
  const options = {
    keys: [hmac.exchangeKey, ed.exchangeKey],
    account: () => accountBody([btcAtRatio(0.3)]),
    weightLimit: 100_000,
  };
  futures = new LoopbackExchange(options);
  spot = new LoopbackExchange(options);
  [futuresUrl, spotUrl] = await Promise.all([futures.start(), spot.start()]);
});
afterAll(() => Promise.all([futures.stop(), spot.stop()]));
beforeEach(() => {
  for (const x of [futures, spot]) {
    x.clearFaults();
    x.clockOffsetMs = 0;
    x.requests.length = 0;
  }
});

function client(governor = new WeightGovernor({ limit: 2400 }), spotGovernor = new WeightGovernor({ limit: 6000 })) {
  return new BinanceClient({ baseUrl: futuresUrl, spotBaseUrl: spotUrl, recvWindowMs: 5000, governor, spotGovernor });
}

const deadline = () => Date.now() + 5000;

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure");
}

describe("getKeyPermissions", () => {
  it("asks the spot API, signed (HMAC and Ed25519), and counts weight 1 in the spot governor, none in the futures one", async () => {
    const governor = new WeightGovernor({ limit: 2400 });
    const spotGovernor = new WeightGovernor({ limit: 6000 });
    const c = client(governor, spotGovernor);
    spot.keyPermissions.set(ed.exchangeKey.apiKey, { ipRestrict: true, enabled: ["enableFutures"] });
    const [a, b] = [
      await c.getKeyPermissions(parseCredentials(hmac.secretValue), deadline(), silentLogger),
      await c.getKeyPermissions(parseCredentials(ed.secretValue), deadline(), silentLogger),
    ];
    expect(a).toEqual({ ipRestricted: false, reading: true, dangerous: [], createdAt: READ_ONLY.createTime });
    expect(b).toMatchObject({ ipRestricted: true, dangerous: ["enableFutures"] });
    expect(spot.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      `${API_RESTRICTIONS_PATH} 200`,
      `${API_RESTRICTIONS_PATH} 200`,
    ]);
    expect(futures.requests).toHaveLength(0);
    expect(spotGovernor.usedWeight()).toBe(2);
    expect(governor.usedWeight()).toBe(0);
  });

  it("reads each flag alone, all of them and none, with and without IP restriction, over HTTP", async () => {
    // Every one of the 1024 combinations is parsed in test/unit/key-permissions.test.ts.
    const c = client(new WeightGovernor({ limit: 100_000 }));
    const credentials = parseCredentials(hmac.secretValue);
    const sets = [[], [...DANGEROUS_FLAGS], ...DANGEROUS_FLAGS.map((f) => [f])];
    for (const enabled of sets) {
      for (const ipRestrict of [false, true]) {
        spot.keyPermissions.set(hmac.exchangeKey.apiKey, { ...READ_ONLY, enabled, ipRestrict });
        const read = await c.getKeyPermissions(credentials, deadline(), silentLogger);
        expect(read.dangerous).toEqual(enabled);
        expect(read.ipRestricted).toBe(ipRestrict);
      }
    }
    spot.keyPermissions.set(hmac.exchangeKey.apiKey, READ_ONLY);
  });

  it("takes the spot API's used-weight figure into the spot governor only (another counter than the futures one)", async () => {
    const governor = new WeightGovernor({ limit: 2400 });
    const spotGovernor = new WeightGovernor({ limit: 6000 });
    spot.injectFault(
      {
        kind: "status",
        status: 200,
        body: apiRestrictionsBody(READ_ONLY),
        headers: { "x-mbx-used-weight-1m": "2300" },
      },
      { path: API_RESTRICTIONS_PATH },
    );
    await client(governor, spotGovernor).getKeyPermissions(
      parseCredentials(hmac.secretValue),
      deadline(),
      silentLogger,
    );
    expect(governor.usedWeight()).toBe(0);
    expect(spotGovernor.usedWeight()).toBe(2300);
  });

  it.each([
    [429, BinanceRateLimitError, { "retry-after": "30" }],
    [418, BinanceIpBanError, { "retry-after": "300" }],
  ] as const)(
    "a %i from the spot API fails the check once, pauses further checks and never pauses the futures calls",
    async (status, type, headers) => {
      const governor = new WeightGovernor({ limit: 2400 });
      const spotGovernor = new WeightGovernor({ limit: 6000 });
      const c = client(governor, spotGovernor);
      spot.injectFault(
        { kind: "status", status, body: JSON.stringify({ code: -1003, msg: "Too many requests" }), headers },
        { path: API_RESTRICTIONS_PATH },
      );
      const credentials = parseCredentials(hmac.secretValue);
      expect(await failure(c.getKeyPermissions(credentials, deadline(), silentLogger))).toBeInstanceOf(type);
      expect(spot.requests).toHaveLength(1);
      expect(governor.blockedUntilMs()).toBeUndefined();
      expect(spotGovernor.blockedUntilMs()).toBeGreaterThan(Date.now());
      expect(await failure(c.getKeyPermissions(credentials, deadline(), silentLogger))).toBeInstanceOf(
        WeightBudgetExceededError,
      );
      expect(spot.requests).toHaveLength(1);
      await c.getAccount(credentials, deadline(), silentLogger);
      expect(futures.requests.map((r) => r.path)).toEqual(["/dapi/v1/account", "/dapi/v1/positionRisk"]);
    },
  );

  it("resyncs the clock once on -1021 and then reads the permissions", async () => {
    spot.clockOffsetMs = 60_000;
    futures.clockOffsetMs = 60_000;
    const c = client();
    const read = await c.getKeyPermissions(parseCredentials(hmac.secretValue), deadline(), silentLogger);
    expect(read.dangerous).toEqual([]);
    expect(spot.requests.map((r) => r.status)).toEqual([400, 200]);
    expect(futures.requests.map((r) => r.path)).toEqual(["/dapi/v1/time"]);
  });

  it("keeps the key and the signature out of an error an echoing upstream sends back", async () => {
    const { apiKey } = hmac.exchangeKey;
    spot.injectFault(
      {
        kind: "status",
        status: 400,
        body: JSON.stringify({ code: -1100, msg: `bad request for ${apiKey}: recvWindow=5000&signature=abc123` }),
      },
      { path: API_RESTRICTIONS_PATH },
    );
    const lines: string[] = [];
    const log = createLogger({ level: "debug", sink: (l) => lines.push(l) });
    const err = await failure(client().getKeyPermissions(parseCredentials(hmac.secretValue), deadline(), log));
    expect(err).toBeInstanceOf(BinanceRequestError);
    const text = `${(err as Error).message}\n${lines.join("\n")}`;
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain("signature=");
    expect(text).not.toContain(JSON.parse(hmac.secretValue).apiSecret);
  });

  it("reports a rejected key, a bad body and a spent weight budget as typed errors", async () => {
    const unknown = parseCredentials(hmacKey("unknown").secretValue);
    const err = await failure(client().getKeyPermissions(unknown, deadline(), silentLogger));
    expect(err).toBeInstanceOf(BinanceAuthError);
    expect((err as BinanceAuthError).code).toBe(-2015);

    spot.injectFault({ kind: "body", body: '{"ipRestrict":false}' }, { path: API_RESTRICTIONS_PATH });
    expect(
      await failure(client().getKeyPermissions(parseCredentials(hmac.secretValue), deadline(), silentLogger)),
    ).toBeInstanceOf(BinanceResponseFormatError);

    spot.requests.length = 0;
    const spent = new WeightGovernor({ limit: 10 });
    expect(spent.tryAcquire(10)).toBe(true);
    expect(
      await failure(
        client(undefined, spent).getKeyPermissions(parseCredentials(hmac.secretValue), deadline(), silentLogger),
      ),
    ).toBeInstanceOf(WeightBudgetExceededError);
    expect(spot.requests).toHaveLength(0);
  });
});
