import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Alert, renderAlert } from "../../lib/alerts/messages.js";
import { SecretError } from "../../lib/core/errors.js";
import { parseCredentials } from "../../lib/keys/credentials.js";
import { anyAlert } from "../support/arbitraries.js";

const API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const API_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

describe("parseCredentials", () => {
  it("reads an HMAC secret and hides it from JSON and inspect", () => {
    const creds = parseCredentials(JSON.stringify({ apiKey: API_KEY, apiSecret: API_SECRET }));
    expect(creds.apiKey).toBe(API_KEY);
    expect(creds.signer.keyType).toBe("hmac");
    const shown = `${JSON.stringify(creds)} ${inspect(creds)} ${JSON.stringify({ creds })}`;
    expect(shown).not.toContain(API_KEY);
    expect(shown).not.toContain(API_SECRET);
  });

  it.each([
    ["not JSON", `apiKey=${API_KEY}`, /is not JSON/],
    ["an array", "[]", /must be a JSON object/],
    ["no apiKey", JSON.stringify({ apiSecret: API_SECRET }), /no "apiKey"/],
    ["a malformed apiKey", JSON.stringify({ apiKey: "short", apiSecret: API_SECRET }), /not a Binance API key/],
    ["neither secret nor key", JSON.stringify({ apiKey: API_KEY }), /exactly one of/],
    [
      "both secret and key",
      JSON.stringify({ apiKey: API_KEY, apiSecret: API_SECRET, privateKey: "x" }),
      /exactly one of/,
    ],
  ])("rejects %s without echoing the value", (_name, text, message) => {
    let caught: unknown;
    try {
      parseCredentials(text, 'secret "coinm-guard/main"');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SecretError);
    const err = caught as SecretError;
    expect(err.message).toMatch(message);
    expect(err.message).toContain('secret "coinm-guard/main"');
    expect(`${err.message} ${String(err.cause)} ${err.stack}`).not.toContain(API_SECRET);
    expect(`${err.message} ${String(err.cause)}`).not.toContain(API_KEY);
  });
});

describe("renderAlert", () => {
  const margin: Alert = {
    type: "margin",
    id: "x",
    account: "main",
    pool: "BTC",
    poolLabel: "BTC cross",
    poolKind: "cross",
    asset: "BTC",
    notice: "escalated",
    level: "critical",
    previousLevel: "warning",
    ratio: 0.8312,
    distance: 0.0061,
    ratioLevel: "critical",
    distanceLevel: "warning",
    requirement: "2.07800000",
    collateral: "2.50000000",
    nearest: { symbol: "BTCUSD_PERP", side: "long", markPrice: "60000.12345678", liquidationPrice: "59634.50000000" },
    marginToAdd: "1.65600001",
    target: { level: "warning", ratio: 0.5, distance: 0.1 },
    at: "2026-11-24T12:00:00.000Z",
  };

  it("names account, pool, ratio, distance, prices, the change and the margin to add", () => {
    const r = renderAlert(margin);
    expect(r.sms).toBe(
      "coinm-guard main BTC cross: rose to CRITICAL (was warning). Ratio 83.1%, liq 59634.5 mark 60000.1 (0.61%). Add 1.6561 BTC",
    );
    expect(r.subject).toBe("coinm-guard: main BTC cross rose to CRITICAL (was warning), ratio 83.1%, 0.61% to liq");
    expect(r.email).toContain("requirement 2.07800000 / collateral 2.50000000 BTC");
    expect(r.email).toContain("mark 60000.12345678 - liquidation 59634.50000000");
    expect(r.email).toContain(
      "To get under warning (ratio below 50%, liquidation at least 10% away): add at least 1.65600001 BTC to the cross wallet",
    );
    expect(r.email).toContain("driven by margin ratio");
  });

  it("names an isolated position by symbol and side", () => {
    const r = renderAlert({
      ...margin,
      pool: "BTCUSD_PERP#BOTH",
      poolLabel: "BTCUSD_PERP long isolated",
      poolKind: "isolated",
      distanceLevel: "critical",
    });
    expect(r.sms).toContain("coinm-guard main BTCUSD_PERP long isolated: rose to CRITICAL");
    expect(r.email).toContain("driven by ratio and distance to liquidation");
    expect(r.email).toContain("of margin to this isolated position");
  });

  it("says plainly when the collateral is gone", () => {
    expect(renderAlert({ ...margin, ratio: null }).sms).toContain("collateral <= 0");
  });

  it("keeps every SMS within 140 characters and every subject within 100", () => {
    fc.assert(
      fc.property(anyAlert, (a) => {
        const r = renderAlert(a);
        expect(r.sms.length).toBeLessThanOrEqual(140);
        expect(r.subject.length).toBeLessThanOrEqual(100);
      }),
    );
  });
});
