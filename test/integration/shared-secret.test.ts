/**
 * Several accounts' keys in one Secrets Manager secret (`coinm-guard/keys#<account>`), against the
 * Secrets Manager stand-in and the loopback exchange: one GetSecretValue serves every account that
 * shares the secret, a missing entry fails only its account (without naming the others), and the
 * stand-in refuses a value over Secrets Manager's 64 KB limit as the real service does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { type Harness, hmacKey, minute, startHarness } from "../support/harness.js";

const SHARED = "coinm-guard/keys";
const keys = ["alpha", "beta", "gamma"].map((name) => hmacKey(name));
let h: Harness;

function sharedValue(names = keys.map((k) => k.name)): string {
  return JSON.stringify(
    Object.fromEntries(keys.filter((k) => names.includes(k.name)).map((k) => [k.name, JSON.parse(k.secretValue)])),
  );
}

const accounts = (names: string[]) => JSON.stringify(names.map((name) => ({ name, secretId: `${SHARED}#${name}` })));

beforeAll(async () => {
  h = await startHarness({ keys, account: () => accountBody([btcAtRatio(0.3)]) });
  h.aws.putSecret(SHARED, sharedValue());
});
afterAll(() => h.stop());

describe("one secret holding several accounts' keys", () => {
  it("reads the shared secret once per container for all its accounts, and signs each with its own key", async () => {
    const before = h.aws.secretReads.length;
    const monitor = h.monitor({ ACCOUNTS: accounts(["alpha", "beta", "gamma"]) });
    const first = await h.cycle(minute(0), monitor);
    expect(first).toMatchObject({ ok: 3, failed: 0 });
    const second = await h.cycle(minute(1), monitor);
    expect(second).toMatchObject({ ok: 3, failed: 0 });
    // Three accounts, two cycles: one read of the shared secret, not one per account.
    expect(h.aws.secretReads.slice(before)).toEqual([SHARED]);
    // The exchange checked each request's signature against that account's own key.
    for (const k of keys)
      expect(h.exchange.requests.some((r) => r.apiKey === k.exchangeKey.apiKey && r.status === 200)).toBe(true);
  });

  it("fails only the account whose entry is missing, naming the entry and not the others", async () => {
    h.aws.putSecret(SHARED, sharedValue(["alpha", "beta"]));
    const summary = await h.cycle(minute(2), h.monitor({ ACCOUNTS: accounts(["alpha", "gamma"]) }));
    expect(summary).toMatchObject({ ok: 1, failed: 1 });
    const gamma = summary.accounts.find((a) => a.account === "gamma");
    expect(gamma?.error).toEqual({ kind: "secret", message: `secret "${SHARED}" has no entry "gamma"` });
    expect(gamma?.error?.message).not.toMatch(/alpha|beta|apiKey/);
    h.aws.putSecret(SHARED, sharedValue());
  });

  it("rejects a malformed reference at start-up, naming the account", () => {
    expect(() => h.config({ ACCOUNTS: accounts(["alpha"]).replace("#alpha", "#") })).toThrow(
      /entry 0 \(alpha\): "secretId" .*the key after "#"/,
    );
    expect(() => h.config({ ACCOUNTS: JSON.stringify([{ name: "a", secretId: "#a" }]) })).toThrow(
      /no secret before the "#"/,
    );
  });

  it("holds about 400 HMAC keys: the stand-in refuses a value over 65,536 bytes like Secrets Manager", () => {
    const entry = JSON.parse(keys[0]?.secretValue ?? "{}");
    const many = (n: number) =>
      JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`account${i}`, entry])));
    expect(() => h.aws.putSecret("coinm-guard/many", many(350))).not.toThrow();
    expect(() => h.aws.putSecret("coinm-guard/many", many(450))).toThrow(/ValidationException/);
  });
});
