import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BinanceClient } from "../../lib/binance/client.js";
import { WeightGovernor } from "../../lib/binance/common/weight-governor.js";
import {
  BinanceAuthError,
  BinanceClockSkewError,
  BinanceIpBanError,
  BinanceRateLimitError,
  BinanceRequestError,
  BinanceResponseFormatError,
  BinanceRestrictedLocationError,
  BinanceSignatureError,
  BinanceUnavailableError,
  WeightBudgetExceededError,
} from "../../lib/core/errors.js";
import { createLogger } from "../../lib/core/log.js";
import { parseCredentials } from "../../lib/keys/credentials.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { LoopbackExchange } from "../../sim/exchange/exchange.js";
import { asymmetricKey, hmacKey } from "../support/harness.js";

const hmac = hmacKey("hmac");
const rsa = asymmetricKey("rsa", "rsa");
const ed = asymmetricKey("ed", "ed25519");
const keys = [hmac, rsa, ed];

let exchange: LoopbackExchange;
let baseUrl: string;
const lines: string[] = [];
const log = createLogger({ level: "debug", sink: (l) => lines.push(l) });

beforeAll(async () => {
  exchange = new LoopbackExchange({
    keys: keys.map((k) => k.exchangeKey),
    account: () => accountBody([btcAtRatio(0.3)]),
  });
  baseUrl = await exchange.start();
});
afterAll(() => exchange.stop());
beforeEach(() => {
  exchange.clearFaults();
  exchange.clockOffsetMs = 0;
  exchange.requests.length = 0;
  lines.length = 0;
});

function client(options: Partial<ConstructorParameters<typeof BinanceClient>[0]> = {}) {
  return new BinanceClient({
    baseUrl,
    recvWindowMs: 5000,
    governor: new WeightGovernor({ limit: 2400 }),
    backoffBaseMs: 5,
    backoffCapMs: 20,
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure");
}

const deadline = () => Date.now() + 10_000;

describe("BinanceClient against the loopback exchange", () => {
  it.each(keys.map((k) => [k.exchangeKey.type, k] as const))("reads the account with a %s key", async (_type, key) => {
    const read = await client().getAccount(parseCredentials(key.secretValue), deadline(), log);
    expect(read.account.assets[0]).toMatchObject({
      asset: "BTC",
      maintMargin: "0.30000000",
      marginBalance: "1.00000000",
    });
    expect(read.attempts).toBe(1);
    expect(read.usedWeight).toBeGreaterThanOrEqual(6);
    expect(exchange.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      "/dapi/v1/account 200",
      "/dapi/v1/positionRisk 200",
    ]);
  });

  it.each([3000, -3000])("resyncs once on -1021 when the exchange clock is %d ms off", async (offset) => {
    exchange.clockOffsetMs = offset;
    const c = client({ recvWindowMs: 1000 });
    const read = await c.getAccount(parseCredentials(hmac.secretValue), deadline(), log);
    expect(read.account.assets.length).toBeGreaterThan(0);
    expect(Math.abs(c.clockOffsetMs() - offset)).toBeLessThan(200);
    expect(exchange.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      "/dapi/v1/account 400",
      "/dapi/v1/time 200",
      "/dapi/v1/account 200",
      "/dapi/v1/positionRisk 200",
    ]);
  });

  it("gives up with a clock-skew error when -1021 persists after the resync", async () => {
    exchange.injectFault(
      {
        kind: "status",
        status: 400,
        body: '{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}',
      },
      { path: "/dapi/v1/account", times: 2 },
    );
    const err = await failure(client().getAccount(parseCredentials(hmac.secretValue), deadline(), log));
    expect(err).toBeInstanceOf(BinanceClockSkewError);
  });

  it("reports a signature made with the wrong secret as -1022", async () => {
    const wrong = JSON.stringify({ apiKey: (hmac.exchangeKey as { apiKey: string }).apiKey, apiSecret: "wrongsecret" });
    const err = await failure(client().getAccount(parseCredentials(wrong), deadline(), log));
    expect(err).toBeInstanceOf(BinanceSignatureError);
    expect((err as Error).message).toMatch(/does not match the apiKey/);
  });

  it("reports an unknown key as an auth error", async () => {
    const unknown = JSON.stringify({ apiKey: "A".repeat(64), apiSecret: "whatever" });
    const err = await failure(client().getAccount(parseCredentials(unknown), deadline(), log));
    expect(err).toBeInstanceOf(BinanceAuthError);
    expect(err).toMatchObject({ status: 401, code: -2015, needsHuman: true });
  });

  const faults: Array<[string, Parameters<LoopbackExchange["injectFault"]>[0], new (...a: never[]) => Error, RegExp]> =
    [
      [
        "-2014",
        { kind: "status", status: 400, body: '{"code":-2014,"msg":"API-key format invalid."}' },
        BinanceAuthError,
        /Enable Reading/,
      ],
      [
        "-2015",
        { kind: "status", status: 401, body: '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}' },
        BinanceAuthError,
        /IP whitelist/,
      ],
      [
        "418 ban",
        {
          kind: "status",
          status: 418,
          body: '{"code":-1003,"msg":"Way too many requests; IP banned until 1700000000000."}',
          headers: { "retry-after": "120" },
        },
        BinanceIpBanError,
        /banned/,
      ],
      [
        "451",
        { kind: "status", status: 451, body: '{"code":0,"msg":"Service unavailable from a restricted location"}' },
        BinanceRestrictedLocationError,
        /non-US region/,
      ],
      [
        "unknown code",
        { kind: "status", status: 400, body: '{"code":-4999,"msg":"Something new."}' },
        BinanceRequestError,
        /code -4999/,
      ],
    ];
  it.each(faults)("maps %s to a typed error that says what to do", async (_name, fault, type, message) => {
    exchange.injectFault(fault, { path: "/dapi/v1/account" });
    const err = await failure(client().getAccount(parseCredentials(hmac.secretValue), deadline(), log));
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toMatch(message);
    expect(exchange.requests.filter((r) => r.path === "/dapi/v1/account")).toHaveLength(1);
  });

  it("stops calling after a 418 until the ban ends", async () => {
    const c = client();
    exchange.injectFault({
      kind: "status",
      status: 418,
      body: '{"code":-1003,"msg":"banned"}',
      headers: { "retry-after": "120" },
    });
    await failure(c.getAccount(parseCredentials(hmac.secretValue), deadline(), log));
    const second = await failure(c.getAccount(parseCredentials(hmac.secretValue), deadline(), log));
    expect(second).toBeInstanceOf(WeightBudgetExceededError);
    expect((second as Error).message).toMatch(/paused until/);
    expect(exchange.requests).toHaveLength(1);
  });

  it.each([
    ["500 HTML", { kind: "status", status: 500, body: "<html><body>Internal error</body></html>" }],
    ["502 HTML", { kind: "status", status: 502, body: "<html>Bad Gateway</html>" }],
    [
      "503 JSON",
      {
        kind: "status",
        status: 503,
        body: '{"code":-1001,"msg":"Internal error; unable to process your request. Please try again."}',
      },
    ],
    ["connection reset", { kind: "reset" }],
    ["truncated JSON", { kind: "body", body: '{"assets":[{"asset":"BTC"' }],
  ] as const)("retries %s with backoff and succeeds", async (_name, fault) => {
    exchange.injectFault(fault as Parameters<LoopbackExchange["injectFault"]>[0], {
      path: "/dapi/v1/account",
      times: 2,
    });
    const read = await client().getAccount(parseCredentials(hmac.secretValue), deadline(), log);
    expect(read.attempts).toBe(3);
    expect(lines.filter((l) => l.includes("retrying"))).toHaveLength(2);
  });

  it("fails with the last error when retries run out", async () => {
    exchange.injectFault({ kind: "status", status: 502, body: "<html>Bad Gateway</html>" }, { times: 10 });
    const err = await failure(
      client({ maxAttempts: 3 }).getAccount(parseCredentials(hmac.secretValue), deadline(), log),
    );
    expect(err).toBeInstanceOf(BinanceUnavailableError);
    expect((err as Error).message).toBe("Binance returned HTTP 502, HTML body; state unknown");
    expect(exchange.requests).toHaveLength(3);
  });

  it("honours Retry-After on 429 when the budget allows", async () => {
    exchange.injectFault({
      kind: "status",
      status: 429,
      body: '{"code":-1003,"msg":"Too many requests"}',
      headers: { "retry-after": "1" },
    });
    const started = Date.now();
    const read = await client().getAccount(parseCredentials(hmac.secretValue), deadline(), log);
    expect(read.attempts).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("does not wait past the deadline for a 429", async () => {
    exchange.injectFault({
      kind: "status",
      status: 429,
      body: '{"code":-1003,"msg":"Too many requests"}',
      headers: { "retry-after": "30" },
    });
    const err = await failure(client().getAccount(parseCredentials(hmac.secretValue), Date.now() + 2000, log));
    expect(err).toBeInstanceOf(BinanceRateLimitError);
    expect((err as BinanceRateLimitError).retryAfterMs).toBe(30_000);
  });

  it("times out a response slower than the request timeout and retries", async () => {
    exchange.injectFault({ kind: "hang", ms: 1500 }, { path: "/dapi/v1/account" });
    const read = await client({ requestTimeoutMs: 300 }).getAccount(
      parseCredentials(hmac.secretValue),
      deadline(),
      log,
    );
    expect(read.attempts).toBe(2);
    expect(lines.some((l) => l.includes("did not answer within 300 ms"))).toBe(true);
  });

  it("treats a JSON body with missing fields as a bad response", async () => {
    exchange.injectFault({ kind: "body", body: '{"assets":[{"asset":"BTC","walletBalance":"1"}]}' }, { times: 10 });
    const err = await failure(
      client({ maxAttempts: 2 }).getAccount(parseCredentials(hmac.secretValue), deadline(), log),
    );
    expect(err).toBeInstanceOf(BinanceResponseFormatError);
    expect((err as Error).message).toMatch(/marginBalance is missing/);
  });

  it("never puts the key or secret into errors or logs", async () => {
    exchange.injectFault({ kind: "status", status: 502, body: "<html>x</html>" }, { times: 10 });
    const err = await failure(
      client({ maxAttempts: 2 }).getAccount(parseCredentials(hmac.secretValue), deadline(), log),
    );
    const { apiKey, apiSecret } = hmac.exchangeKey as { apiKey: string; apiSecret: string };
    const text = `${String(err)} ${(err as Error).stack} ${lines.join("\n")}`;
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(apiSecret);
    expect(text).not.toContain("signature=");
  });

  it("defers the call instead of exceeding the per-minute weight", async () => {
    // The exchange's window already holds earlier tests' weight; the governor must count it too.
    const governor = new WeightGovernor({ limit: exchange.usedWeight() + 12 });
    const c = client({ governor });
    await c.getAccount(parseCredentials(hmac.secretValue), deadline(), log);
    await c.getAccount(parseCredentials(hmac.secretValue), deadline(), log);
    const err = await failure(c.getAccount(parseCredentials(hmac.secretValue), deadline(), log));
    expect(err).toBeInstanceOf(WeightBudgetExceededError);
    expect(exchange.requests.filter((r) => r.status === 429)).toHaveLength(0);
  });
});
