import { describe, expect, it } from "vitest";
import { firstThatFits, truncate } from "../../lib/alerts/text.js";

describe("firstThatFits", () => {
  it("takes the fullest text that fits", () => {
    expect(firstThatFits(["a long text with figures. Add 1 BTC", "short. Add 1 BTC"], 40)).toBe(
      "a long text with figures. Add 1 BTC",
    );
    expect(firstThatFits(["a long text with figures. Add 1 BTC", "short. Add 1 BTC"], 20)).toBe("short. Add 1 BTC");
  });

  it("cuts the last when none fits, like truncate", () => {
    const last = "still far too long for the budget";
    expect(firstThatFits(["the fullest text of all, far too long", last], 12)).toBe(truncate(last, 12));
    expect(firstThatFits(["the fullest text of all, far too long", last], 12)).toHaveLength(12);
  });
});
