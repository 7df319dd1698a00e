import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareDecimal, formatPercent, marginRatio, parseDecimal } from "../../lib/risk/decimal.js";

const d = (s: string) => {
  const parsed = parseDecimal(s);
  if (!parsed) throw new Error(`bad decimal ${s}`);
  return parsed;
};

describe("parseDecimal", () => {
  it.each([
    ["0.00241969", 241969n, 8],
    ["-12", -12n, 0],
    ["-0.5", -5n, 1],
    ["+3.10", 310n, 2],
  ])("parses %s", (text, units, scale) => {
    expect(parseDecimal(text)).toEqual({ units, scale });
  });

  it.each(["", "abc", "1e5", "NaN", "1.2.3", "Infinity", "0x10", " . "])("rejects %j", (text) => {
    expect(parseDecimal(text)).toBeUndefined();
  });

  it("compares across scales", () => {
    expect(compareDecimal(d("1.50"), d("1.5"))).toBe(0);
    expect(compareDecimal(d("-0.1"), d("0"))).toBe(-1);
    expect(compareDecimal(d("10"), d("9.99999999"))).toBe(1);
  });
});

describe("marginRatio", () => {
  it("is 0 when no maintenance margin is held, whatever the balance", () => {
    expect(marginRatio(d("0.00000000"), d("0.00241969"))).toBe(0);
    expect(marginRatio(d("0"), d("0"))).toBe(0);
    expect(marginRatio(d("0"), d("-1.5"))).toBe(0);
  });

  it("is +Infinity (worst case) when the margin balance is gone but margin is held", () => {
    expect(marginRatio(d("0.1"), d("0"))).toBe(Number.POSITIVE_INFINITY);
    expect(marginRatio(d("0.1"), d("-0.00000001"))).toBe(Number.POSITIVE_INFINITY);
  });

  it("lands exactly on a threshold when the decimals do", () => {
    // 0.4 / 0.5 in binary floating point is 0.8000000000000002; the exact path gives 0.8.
    expect(marginRatio(d("0.40000000"), d("0.50000000"))).toBe(0.8);
    expect(marginRatio(d("0.00120985"), d("0.00241970"))).toBe(0.5);
  });

  it("matches the true quotient to 1e-12 for any 8-decimal inputs", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 14n }), fc.bigInt({ min: 1n, max: 10n ** 14n }), (mm, mb) => {
        const ratio = marginRatio({ units: mm, scale: 8 }, { units: mb, scale: 8 });
        const exact = Number(mm) / Number(mb);
        return Math.abs(ratio - exact) <= 1e-12 * Math.max(1, exact) + 1e-12;
      }),
    );
  });
});

describe("formatPercent", () => {
  it("formats finite and infinite ratios", () => {
    expect(formatPercent(0.53421)).toBe("53.42%");
    expect(formatPercent(Number.POSITIVE_INFINITY)).toBe("∞%");
  });
});
