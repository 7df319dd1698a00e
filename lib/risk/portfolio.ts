/**
 * A Portfolio Margin (PM) account as one margin pool. PM keeps COIN-M and USD-M positions in one
 * unified account, liquidated as a whole: per-asset ratios mean nothing there. Binance judges it by
 * uniMMR = accountEquity / accountMaintMargin (USD; higher is safer) and by `accountStatus`
 * (portfolio-status.ts). Binance's own table (shared spec binance-portfolio-margin.md; binance.com
 * FAQ "What Is the Unified Account Maintenance Margin Ratio"): a reminder at uniMMR <= 150%,
 * reduce-only at <= 120%, liquidation at <= 105%.
 *
 * The alert policy (lib/alerts/policy.ts) reads "higher is worse" ratios, so a PM pool's `ratio`
 * is 1 / uniMMR (= maintenance / equity, the same quotient as a COIN-M pool's requirement /
 * collateral) and each level's uniMMR threshold is mapped through the very same function: a
 * uniMMR exactly at a threshold is at the level, and the order of any two uniMMRs is kept.
 */
import { ConfigError } from "../core/errors.js";
import { parseJson } from "../core/parse.js";
import {
  addDecimal,
  compareDecimal,
  type Decimal,
  decimalFromNumber,
  decimalOrZero,
  divideUp,
  formatDecimal,
  parseDecimal,
  quotient,
  subDecimal,
  ZERO,
} from "./decimal.js";
import type { AlertLevel } from "./levels.js";
import { type MarginPool, nearestOf } from "./pools.js";
import type { PortfolioFigures } from "./portfolio-status.js";
import type { OpenPosition } from "./positions.js";

export type { PortfolioFigures } from "./portfolio-status.js";

/** The one pool of a PM account: its id in the alert state, snapshots and history. */
export const PORTFOLIO_POOL_ID = "portfolio";
/** What a PM pool's requirement, collateral and amounts are counted in. */
export const PORTFOLIO_UNIT = "USD";

/** A PM alert level: reached when uniMMR is at or below `uniMMR` (1.5 = 150%). */
export interface PortfolioLevel {
  readonly name: string;
  readonly uniMMR: number;
}

/** Binance's reminder (150%) and reduce-only (120%) marks. */
export const DEFAULT_PORTFOLIO_LEVELS: readonly PortfolioLevel[] = [
  { name: "warning", uniMMR: 1.5 },
  { name: "critical", uniMMR: 1.2 },
];

/** Binance liquidates a PM account at uniMMR <= 105%: every level must sit above it. */
export const PORTFOLIO_LIQUIDATION_UNIMMR = 1.05;

/**
 * A held PM level clears once uniMMR rises this many points (0.1 = 10 percentage points) above
 * its threshold: warning clears above 160%, critical above 130% by default.
 */
export const DEFAULT_PORTFOLIO_HYSTERESIS = 0.1;

const ONE: Decimal = { units: 1n, scale: 0 };

/** The policy's scale for a uniMMR: 1 / uniMMR; +Infinity for uniMMR <= 0. */
export function ratioOfUniMMR(uniMMR: Decimal): number {
  return uniMMR.units > 0n ? quotient(ONE, uniMMR) : Number.POSITIVE_INFINITY;
}

/** PM levels as the policy reads them (ascending ratio), each clearing `hysteresis` uniMMR points above it. */
export function portfolioAlertLevels(levels: readonly PortfolioLevel[], hysteresis: number): AlertLevel[] {
  return levels
    .map((l) => ({
      name: l.name,
      ratio: ratioOfUniMMR(decimalFromNumber(l.uniMMR)),
      clearBelow: ratioOfUniMMR(decimalFromNumber(l.uniMMR + hysteresis)),
    }))
    .sort((a, b) => a.ratio - b.ratio);
}

/**
 * PM levels when PORTFOLIO_LEVELS is not set: Binance's marks on the levels named "warning" and
 * "critical"; with other names, 150% for the least severe level and 120% for the most severe.
 */
export function defaultPortfolioLevels(alertLevels: readonly AlertLevel[]): PortfolioLevel[] {
  const byName = DEFAULT_PORTFOLIO_LEVELS.filter((d) => alertLevels.some((l) => l.name === d.name));
  if (byName.length === DEFAULT_PORTFOLIO_LEVELS.length) return byName;
  const first = alertLevels[0];
  const last = alertLevels[alertLevels.length - 1];
  if (!first || !last) return [];
  return first === last
    ? [{ name: last.name, uniMMR: 1.2 }]
    : [
        { name: first.name, uniMMR: 1.5 },
        { name: last.name, uniMMR: 1.2 },
      ];
}

/**
 * Parse and check PORTFOLIO_LEVELS against the (already parsed) alert levels: each entry names a
 * configured level once, with a uniMMR above Binance's liquidation mark (1.05) and at most 100
 * (10,000%), lower for each more severe level. Returned in the alert levels' order.
 */
export function parsePortfolioLevels(
  text: string,
  alertLevels: readonly AlertLevel[],
  variable = "PORTFOLIO_LEVELS",
): PortfolioLevel[] {
  const raw = parseJson(variable, text);
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new ConfigError(variable, 'must be a non-empty JSON array of {"name": "<alert level>", "uniMMR": 1.5}');
  }
  const names = alertLevels.map((l) => l.name);
  const levels = raw.map((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null) throw new ConfigError(variable, `entry ${i} is not an object`);
    const { name, uniMMR } = entry as Record<string, unknown>;
    if (typeof name !== "string" || !names.includes(name)) {
      throw new ConfigError(variable, `entry ${i}: "name" must be one of the alert levels (${names.join(", ")})`);
    }
    if (typeof uniMMR !== "number" || !(uniMMR > PORTFOLIO_LIQUIDATION_UNIMMR && uniMMR <= 100)) {
      throw new ConfigError(
        variable,
        `entry ${i} (${name}): "uniMMR" must be a number above ${PORTFOLIO_LIQUIDATION_UNIMMR} (Binance liquidates at 105%) and at most 100`,
      );
    }
    return { name, uniMMR };
  });
  levels.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
  for (let i = 1; i < levels.length; i++) {
    const prev = levels[i - 1];
    const cur = levels[i];
    if (prev && cur && prev.name === cur.name) throw new ConfigError(variable, `level "${cur.name}" appears twice`);
    if (prev && cur && !(cur.uniMMR < prev.uniMMR)) {
      throw new ConfigError(variable, `"${cur.name}" is more severe than "${prev.name}", so its uniMMR must be lower`);
    }
  }
  return levels;
}

/**
 * The account's one pool. Requirement = accountMaintMargin, collateral = accountEquity (USD).
 * Ratio: 0 without maintenance margin (nothing to liquidate); +Infinity with equity <= 0 (beyond
 * every level, never NaN); else 1 / Binance's uniMMR (what Binance acts on), or maintenance /
 * equity if Binance sends a uniMMR that is not positive. Distance: the nearest position with a
 * liquidation price, across COIN-M and USD-M.
 */
export function portfolioPool(figures: PortfolioFigures, positions: readonly OpenPosition[]): MarginPool {
  const maint = decimalOrZero(figures.accountMaintMargin);
  const equity = decimalOrZero(figures.accountEquity);
  const uniMMR = parseDecimal(figures.uniMMR) ?? ZERO;
  const ratio =
    maint.units <= 0n
      ? 0
      : equity.units <= 0n
        ? Number.POSITIVE_INFINITY
        : uniMMR.units > 0n
          ? ratioOfUniMMR(uniMMR)
          : quotient(maint, equity);
  const nearest = nearestOf(positions);
  return {
    id: PORTFOLIO_POOL_ID,
    kind: "portfolio",
    product: "portfolio",
    asset: PORTFOLIO_UNIT,
    label: "portfolio margin",
    requirement: figures.accountMaintMargin,
    collateral: figures.accountEquity,
    ratio,
    distance: nearest?.distance ?? null,
    ...(nearest ? { nearest } : {}),
    positions,
    portfolio: figures,
  };
}

/** USD amounts are shown and asked for to the cent. */
const USD_SCALE = 2;

/**
 * The equity (USD) to add so that uniMMR rises above `targetUniMMR`: maintenance × target −
 * equity, rounded up to the cent and one cent more, so it is enough. Undefined without
 * maintenance margin or when uniMMR is already above the target.
 */
export function equityToAdd(figures: PortfolioFigures, targetUniMMR: number): string | undefined {
  const maint = decimalOrZero(figures.accountMaintMargin);
  if (maint.units <= 0n || !(targetUniMMR > 0)) return undefined;
  const target = decimalFromNumber(targetUniMMR);
  const needed: Decimal = { units: maint.units * target.units, scale: maint.scale + target.scale };
  const shortfall = subDecimal(needed, decimalOrZero(figures.accountEquity));
  if (compareDecimal(shortfall, ZERO) < 0) return undefined;
  return formatDecimal(addDecimal(divideUp(shortfall, ONE, USD_SCALE), { units: 1n, scale: USD_SCALE }));
}

/** uniMMR as a percentage for people, cut (never rounded up) to `digits` decimals: "1.34999" -> "134.9%". */
export function formatUniMMR(raw: string, digits = 1): string {
  const d = parseDecimal(raw);
  if (!d) return raw;
  // × 100, then cut toward zero: showing 135.0% for 134.99% would read safer than it is.
  const percent: Decimal = { units: d.units * 100n, scale: d.scale };
  const cut = percent.scale > digits ? percent.units / 10n ** BigInt(percent.scale - digits) : percent.units;
  const scale = Math.min(percent.scale, digits);
  const text = formatDecimal({ units: cut, scale });
  const [whole, frac = ""] = text.split(".");
  return `${whole}${digits > 0 ? `.${frac.padEnd(digits, "0")}` : ""}%`;
}
