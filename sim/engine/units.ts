/**
 * Fixed-point coin amounts for every loopback margin engine: 1 unit = 1e-8 coin, the precision
 * Binance renders. Engines compute in doubles and round each figure here once, so the bodies they
 * render are self-consistent to the last digit. Product-neutral: a new product's engine reuses it.
 */

/** Thrown for a state Binance could not be in (e.g. a symbol both cross and isolated). */
export class MarginEngineInputError extends Error {
  override readonly name = "MarginEngineInputError";
}

const SCALE = 100_000_000n;

/** A coin amount (decimal string or number) in units of 1e-8, rounded half away from zero. */
export function toUnits(value: string | number): bigint {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new MarginEngineInputError(`not a finite amount: ${value}`);
    return BigInt(Math.sign(value) * Math.round(Math.abs(value) * 1e8));
  }
  const m = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(value.trim());
  if (!m) throw new MarginEngineInputError(`not a decimal amount: ${value}`);
  const frac = (m[3] ?? "").padEnd(9, "0");
  let units = BigInt((m[2] ?? "0") + frac.slice(0, 8));
  if (Number(frac[8]) >= 5) units += 1n;
  return m[1] === "-" ? -units : units;
}

/** Units of 1e-8 as Binance renders coin amounts: "-0.09090909". */
export function formatUnits(units: bigint): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  return `${neg ? "-" : ""}${abs / SCALE}.${(abs % SCALE).toString().padStart(8, "0")}`;
}

/** A price with 8 decimals, as positionRisk renders mark and liquidation prices. */
export function formatPrice(price: number): string {
  return price.toFixed(8);
}

/** A coin amount as a double at 1e-8 precision; absent is 0 (an empty wallet, never a missing figure). */
export function amount(value: string | number | undefined): number {
  return value === undefined ? 0 : Number(toUnits(value)) / 1e8;
}
