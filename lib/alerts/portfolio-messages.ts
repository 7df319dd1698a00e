/**
 * A Portfolio Margin account's margin alert, for people: account, "portfolio margin", uniMMR as a
 * percentage, the account status, equity and maintenance in USD, and the equity to add to get
 * back above the lowest level. Binance liquidates the whole account, so there is one pool and one
 * number to act on; a position's distance to its liquidation price is shown where Binance gives one.
 */
import { formatPercent } from "../risk/decimal.js";
import { formatUniMMR } from "../risk/portfolio.js";
import type { PortfolioFigures } from "../risk/portfolio-status.js";
import { SMS_MAX, SUBJECT_MAX, shortAmountUp, shortDecimal, truncate } from "./text.js";

/** Binance's raw account figures, what the status alone reaches, and the way back above the lowest level. */
export interface PortfolioAlertFigures extends PortfolioFigures {
  readonly statusLevel: string;
  /** Binance liquidates at uniMMR <= this (1.05). */
  readonly liquidationUniMMR: number;
  /** The lowest PM level, which `equityToAdd` aims above. */
  readonly target?: { readonly name: string; readonly uniMMR: number };
  /** USD of equity to add so that uniMMR is above the target; absent when none is needed. */
  readonly equityToAdd?: string;
}

/** What this rendering reads of a margin alert (messages.ts's MarginAlert has it all). */
export interface PortfolioAlertView {
  readonly account: string;
  readonly notice: "escalated" | "recovered" | "reminder";
  readonly level: string;
  readonly previousLevel: string;
  readonly ratioLevel: string;
  readonly distanceLevel: string;
  readonly distance: number | null;
  readonly nearest?: {
    readonly symbol: string;
    readonly side: string;
    readonly markPrice: string;
    readonly liquidationPrice: string;
  };
  readonly portfolio?: PortfolioAlertFigures;
  readonly at: string;
}

/** One alert in its three forms. */
export interface PortfolioRendered {
  readonly subject: string;
  readonly email: string;
  readonly sms: string;
}

const percent = (uniMMR: number) => `${Math.round(uniMMR * 1000) / 10}%`;

function change(alert: PortfolioAlertView): string {
  const level = alert.level.toUpperCase();
  return alert.notice === "escalated"
    ? `rose to ${level} (was ${alert.previousLevel})`
    : alert.notice === "recovered"
      ? `recovered to ${level} (was ${alert.previousLevel})`
      : `still ${level}`;
}

/** What holds the level: uniMMR, the account status, a position's distance, or the hysteresis. */
function drivers(alert: PortfolioAlertView): string {
  if (alert.notice === "recovered") return "";
  const by = [
    alert.ratioLevel === alert.level ? "uniMMR" : undefined,
    alert.portfolio?.statusLevel === alert.level ? `account status ${alert.portfolio.accountStatus}` : undefined,
    alert.distanceLevel === alert.level ? "distance to liquidation" : undefined,
  ].filter((d): d is string => d !== undefined);
  return by.length > 0 ? by.join(" and ") : "held until uniMMR clears the level by the hysteresis";
}

export function renderPortfolioMargin(alert: PortfolioAlertView): PortfolioRendered {
  const pm = alert.portfolio;
  const uni = pm ? formatUniMMR(pm.uniMMR) : "unknown";
  const what = change(alert);
  const near = alert.nearest;
  const distance = alert.distance !== null ? formatPercent(alert.distance, 2) : undefined;
  const why = drivers(alert);
  const email = [
    `Account: ${alert.account}`,
    "Margin: portfolio margin (one account-wide pool: every COIN-M and USD-M position shares it)",
    `Level: ${what}${why ? `, driven by ${why}` : ""}`,
    pm
      ? `uniMMR: ${uni} = equity ${pm.accountEquity} USD / maintenance ${pm.accountMaintMargin} USD (uniMMR alone: ${alert.ratioLevel})`
      : "uniMMR: not read (the account is no longer read as portfolio margin)",
    pm ? `Account status: ${pm.accountStatus} (status alone: ${pm.statusLevel})` : undefined,
    near && distance
      ? `Distance to liquidation: ${distance} = |mark ${near.markPrice} - liquidation ${near.liquidationPrice}| / mark, ${near.symbol} ${near.side} (distance alone: ${alert.distanceLevel})`
      : pm
        ? "Distance to liquidation: no position has a liquidation price"
        : undefined,
    pm?.equityToAdd && pm.target
      ? `To get back above ${pm.target.name} (uniMMR above ${percent(pm.target.uniMMR)}): add at least ${pm.equityToAdd} USD of equity (or reduce positions).`
      : undefined,
    `At: ${alert.at}`,
    `Binance sends a reminder at uniMMR 150%, allows reduce-only orders at 120% and liquidates the whole account at ${percent(pm?.liquidationUniMMR ?? 1.05)}.`,
  ]
    .filter((line): line is string => line !== undefined)
    .join("\n");
  const head = `coinm-guard ${alert.account} portfolio margin: ${what}.`;
  const status = pm ? ` ${pm.accountStatus}` : "";
  const figures = pm ? ` eq ${shortDecimal(pm.accountEquity)} mm ${shortDecimal(pm.accountMaintMargin)} USD.` : "";
  const add = pm?.equityToAdd ? ` Add ${shortAmountUp(pm.equityToAdd)} USD` : "";
  // Drop the equity figures before the amount to add: the amount is what a person acts on.
  const full = `${head} uniMMR ${uni}${status},${figures}${add}`;
  const sms = full.length <= SMS_MAX ? full : `${head} uniMMR ${uni}${status}.${add}`;
  return {
    subject: truncate(`coinm-guard: ${alert.account} portfolio margin ${what}, uniMMR ${uni}`, SUBJECT_MAX),
    email,
    sms: truncate(sms.replace(/,$/, "."), SMS_MAX),
  };
}
