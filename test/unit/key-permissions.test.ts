import { describe, expect, it } from "vitest";
import { alertAttributes } from "../../lib/alerts/attributes.js";
import { type KeyAlert, renderAlert } from "../../lib/alerts/messages.js";
import {
  boxesToUntick,
  DANGEROUS_FLAGS,
  DANGEROUS_PERMISSIONS,
  dangerVerbs,
  describePermissions,
  parseKeyPermissions,
  verdictOf,
} from "../../lib/binance/spot/key-permissions.js";
import { chatMessage } from "../../lib/chat/message.js";
import { BinanceResponseFormatError } from "../../lib/core/errors.js";
import { decideKeyCheck, KEY_CHECK_INTERVAL_MS, type KeyCheckState, keyCheckDue } from "../../lib/keys/policy.js";
import { DEFAULT_ALERT_LEVELS } from "../../lib/risk/levels.js";
import { apiRestrictionsBody, everyFlagCombination, READ_ONLY } from "../../sim/exchange/spot/key-permissions.js";

/** Binance's documented example response (Get API Key Permission), comments removed. */
const DOCUMENTED = `{
  "ipRestrict":false,
  "createTime":1698645219000,
  "enableReading":true,
  "enableWithdrawals":false,
  "enableInternalTransfer":false,
  "enableMargin":false,
  "enableFutures":false,
  "permitsUniversalTransfer":false,
  "enableVanillaOptions":false,
  "enableFixApiTrade": false,
  "enableFixReadOnly": true,
  "enableSpotAndMarginTrading":false,
  "enablePortfolioMarginTrading":true
}`;

describe("parseKeyPermissions", () => {
  it("reads Binance's documented example", () => {
    expect(parseKeyPermissions(DOCUMENTED)).toEqual({
      ipRestricted: false,
      reading: true,
      dangerous: ["enablePortfolioMarginTrading"],
      createdAt: 1698645219000,
    });
  });

  it("reads every flag combination the loopback exchange can serve", () => {
    let n = 0;
    for (const flags of everyFlagCombination()) {
      const parsed = parseKeyPermissions(apiRestrictionsBody(flags));
      expect(parsed.dangerous).toEqual(flags.enabled);
      expect(parsed.ipRestricted).toBe(flags.ipRestrict);
      expect(verdictOf(parsed)).toBe(flags.enabled.length === 0 ? "read-only" : "dangerous");
      n++;
    }
    expect(n).toBe(2 ** (DANGEROUS_FLAGS.length + 1));
  });

  it("treats the newer optional fields as off when an older key's response leaves them out", () => {
    const parsed = parseKeyPermissions(apiRestrictionsBody({ ...READ_ONLY, legacyBody: true }));
    expect(parsed.dangerous).toEqual([]);
  });

  it.each([
    ["not JSON", "<html>", /not JSON/],
    ["an array", "[]", /not a JSON object/],
    ["no ipRestrict", JSON.stringify({ ...JSON.parse(DOCUMENTED), ipRestrict: undefined }), /"ipRestrict"/],
    ["a string flag", JSON.stringify({ ...JSON.parse(DOCUMENTED), enableWithdrawals: "false" }), /"enableWithdrawals"/],
    ["no enableFutures", JSON.stringify({ ...JSON.parse(DOCUMENTED), enableFutures: undefined }), /"enableFutures"/],
    ["a string createTime", JSON.stringify({ ...JSON.parse(DOCUMENTED), createTime: "x" }), /"createTime"/],
  ])("rejects %s as a bad response (never as a read-only key)", (_, body, message) => {
    expect(() => parseKeyPermissions(body)).toThrow(BinanceResponseFormatError);
    expect(() => parseKeyPermissions(body)).toThrow(message);
  });

  it("names the boxes to untick and the danger in words", () => {
    expect(boxesToUntick(["enableWithdrawals", "enableMargin"])).toBe(
      '"Enable Withdrawals", "Enable Margin Loan, Repay & Transfer"',
    );
    expect(dangerVerbs(["enableFutures"])).toBe("trade");
    expect(dangerVerbs(["enableFutures", "enableWithdrawals", "enableInternalTransfer"])).toBe(
      "withdraw, transfer and trade",
    );
    expect(describePermissions({ ipRestricted: true, reading: true, dangerous: [] })).toBe("read-only; IP-restricted");
    expect(new Set(DANGEROUS_PERMISSIONS.map((p) => p.box)).size).toBe(DANGEROUS_PERMISSIONS.length);
  });
});

describe("the daily key check policy", () => {
  const t0 = Date.UTC(2026, 10, 24, 12, 0);
  const readOnly = { ipRestricted: false, reading: true, dangerous: [] } as const;
  const futures = { ...readOnly, dangerous: ["enableFutures"] as const };

  it("is due at once for an account never checked, then once a day after each attempt", () => {
    expect(keyCheckDue(undefined, t0)).toBe(true);
    const checked = decideKeyCheck(undefined, { ok: true, permissions: readOnly }, t0).next;
    expect(keyCheckDue(checked, t0 + 60_000)).toBe(false);
    expect(keyCheckDue(checked, t0 + KEY_CHECK_INTERVAL_MS - 60_000)).toBe(false);
    expect(keyCheckDue(checked, t0 + KEY_CHECK_INTERVAL_MS)).toBe(true);
    const failed = decideKeyCheck(checked, { ok: false, kind: "binance-unavailable" }, t0 + KEY_CHECK_INTERVAL_MS).next;
    expect(keyCheckDue(failed, t0 + KEY_CHECK_INTERVAL_MS + 60_000)).toBe(false);
    expect(keyCheckDue(failed, t0 + 2 * KEY_CHECK_INTERVAL_MS)).toBe(true);
  });

  it("raises one unsafe notice per gained permission and one fixed notice", () => {
    let state: KeyCheckState | undefined;
    const notices: string[] = [];
    const observe = (dangerous: readonly (typeof DANGEROUS_FLAGS)[number][], day: number) => {
      const d = decideKeyCheck(
        state,
        { ok: true, permissions: { ...readOnly, dangerous } },
        t0 + day * KEY_CHECK_INTERVAL_MS,
      );
      state = d.next;
      notices.push(d.notice ? `${d.notice}:${(d.gained ?? []).join("+")}` : "-");
    };
    observe([], 0);
    observe(["enableFutures"], 1);
    observe(["enableFutures"], 2);
    observe(["enableWithdrawals", "enableFutures"], 3);
    observe(["enableWithdrawals"], 4);
    observe(["enableWithdrawals", "enableFutures"], 5);
    observe([], 6);
    observe([], 7);
    expect(notices).toEqual([
      "-",
      "unsafe:enableFutures",
      "-",
      "unsafe:enableWithdrawals",
      "-",
      "unsafe:enableFutures",
      "fixed:",
      "-",
    ]);
  });

  it("alerts on the first check of a key that is already unsafe", () => {
    expect(decideKeyCheck(undefined, { ok: true, permissions: futures }, t0).notice).toBe("unsafe");
  });

  it("a failed check changes no verdict and raises nothing", () => {
    const unsafe = decideKeyCheck(undefined, { ok: true, permissions: futures }, t0).next;
    const failed = decideKeyCheck(
      unsafe,
      { ok: false, kind: "binance-restricted-location" },
      t0 + KEY_CHECK_INTERVAL_MS,
    );
    expect(failed.notice).toBeUndefined();
    expect(failed.next).toMatchObject({
      alerted: ["enableFutures"],
      lastCheckedAt: t0,
      lastAttemptAt: t0 + KEY_CHECK_INTERVAL_MS,
      lastErrorKind: "binance-restricted-location",
      permissions: futures,
    });
    expect(decideKeyCheck(undefined, { ok: false, kind: "x" }, t0).notice).toBeUndefined();
    // Recovering from the failure with the same permissions: nothing new to say.
    expect(
      decideKeyCheck(failed.next, { ok: true, permissions: futures }, t0 + 2 * KEY_CHECK_INTERVAL_MS).notice,
    ).toBeUndefined();
  });
});

describe("the key alert on its way out", () => {
  const unsafe: KeyAlert = {
    type: "key",
    id: "id",
    account: "main",
    notice: "unsafe",
    permissions: ["enableWithdrawals"],
    gained: ["enableWithdrawals"],
    ipRestricted: true,
    at: "2026-11-27T12:00:00.000Z",
  };
  const fixed: KeyAlert = { ...unsafe, notice: "fixed", permissions: [], gained: [] };

  it("routes 'unsafe' as critical and 'fixed' to the same subscribers", () => {
    expect(alertAttributes(unsafe, DEFAULT_ALERT_LEVELS)).toEqual({
      account: "main",
      kind: "key",
      notice: "unsafe",
      severity: "critical",
    });
    expect(alertAttributes(fixed, DEFAULT_ALERT_LEVELS)).toMatchObject({ severity: "ok", closes: "critical" });
  });

  it("reaches chat as its own subject and email text", () => {
    const message = chatMessage(undefined, JSON.stringify(unsafe), undefined);
    expect(message.subject).toBe("coinm-guard: UNSAFE API KEY for main: it can withdraw");
    expect(message.text).toContain('untick "Enable Withdrawals".');
    expect(message.text).toBe(renderAlert(unsafe).email);
  });
});
