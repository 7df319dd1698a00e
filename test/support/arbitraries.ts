/** fast-check generators shared by the tests that check what alerts render to. */
import fc from "fast-check";
import type { Alert } from "../../lib/alerts/messages.js";
import { DANGEROUS_FLAGS } from "../../lib/binance/spot/key-permissions.js";

/** The longest names config accepts (64 characters), plus shorter ones. */
export const configName = fc.oneof(
  fc.constantFrom("a".repeat(64), `Z${"9".repeat(63)}`, "main"),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/),
);

/** Any alert the cycle can raise, with the longest names and widest figures config allows. */
export const anyAlert: fc.Arbitrary<Alert> = fc.oneof(
  fc.record({
    type: fc.constant("margin" as const),
    id: fc.constant("id"),
    account: configName,
    pool: fc.constantFrom("BTC", "1000SHIBUSD_PERP#SHORT"),
    poolLabel: fc.constantFrom("BTC cross", "ABCDEFGHIJKLMNOPQRSTUSD_ABCDEFGHIJKL short isolated"),
    poolKind: fc.constantFrom("cross" as const, "isolated" as const),
    asset: fc.stringMatching(/^[A-Z0-9]{1,20}$/),
    notice: fc.constantFrom("escalated" as const, "recovered" as const, "reminder" as const),
    level: configName,
    previousLevel: fc.oneof(configName, fc.constant("ok")),
    ratio: fc.option(fc.double({ min: 0, max: 1e9, noNaN: true }), { nil: null }),
    distance: fc.option(fc.double({ min: 0, max: 1e3, noNaN: true }), { nil: null }),
    ratioLevel: configName,
    distanceLevel: configName,
    requirement: fc.constant("123456.12345678"),
    collateral: fc.constant("-0.00000001"),
    nearest: fc.option(
      fc.record({
        symbol: fc.constant("ABCDEFGHIJKLMNOPQRSTUSD_ABCDEFGHIJKL"),
        side: fc.constantFrom("long" as const, "short" as const),
        markPrice: fc.constantFrom("123456789.12345678", "0.00001234"),
        liquidationPrice: fc.constantFrom("123456789.12345678", "0"),
      }),
      { nil: undefined },
    ),
    marginToAdd: fc.option(fc.constantFrom("123456789.12345678", "0.00000001"), { nil: undefined }),
    target: fc.option(fc.record({ level: configName, ratio: fc.constant(0.5), distance: fc.constant(0.1) }), {
      nil: undefined,
    }),
    at: fc.constant("2026-11-24T12:00:00.000Z"),
  }),
  fc.record({
    type: fc.constant("health" as const),
    id: fc.constant("id"),
    account: configName,
    notice: fc.constantFrom("unreachable" as const, "restored" as const),
    failures: fc.nat(),
    errorKind: fc.constantFrom("binance-auth", "binance-restricted-location", "secret", "weight-deferred"),
    reason: fc.string({ maxLength: 300 }),
    at: fc.constant("2026-11-24T12:00:00.000Z"),
  }),
  fc.record({
    type: fc.constant("key" as const),
    id: fc.constant("id"),
    account: configName,
    notice: fc.constantFrom("unsafe" as const, "fixed" as const),
    permissions: fc.subarray([...DANGEROUS_FLAGS]),
    gained: fc.subarray([...DANGEROUS_FLAGS]),
    ipRestricted: fc.boolean(),
    at: fc.constant("2026-11-24T12:00:00.000Z"),
  }),
);
