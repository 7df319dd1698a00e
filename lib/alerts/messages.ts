/**
 * Alerts as data, and their rendering for SNS: a subject for email, a full email body and an
 * SMS body that fits one message (<= 140 characters).
 */

import { formatPercent } from "../risk/decimal.js";
import { formatDistance, PAST_LIQUIDATION } from "../risk/positions.js";
import { PRODUCT_NAMES, type Product } from "../risk/product.js";
import { DELETED_KEY_HINT, type KeyAlert, keyAlertText } from "./key-alerts.js";
import { type PortfolioAlertFigures, renderPortfolioMargin } from "./portfolio-messages.js";
import { firstThatFits, SMS_MAX, SUBJECT_MAX, shortAmountUp, shortDecimal, truncate } from "./text.js";

export type { PortfolioAlertFigures } from "./portfolio-messages.js";
export { SMS_MAX, SUBJECT_MAX, shortAmountUp, shortDecimal, truncate } from "./text.js";

import type { HealthNotice, MarginNotice } from "./policy.js";

export type { KeyAlert } from "./key-alerts.js";

/** The position nearest its liquidation price in a pool, as Binance reported it (raw decimals). */
export interface NearestPosition {
  readonly symbol: string;
  readonly side: "long" | "short";
  readonly markPrice: string;
  readonly liquidationPrice: string;
}

/** A margin pool's level changed, or a reminder that it still holds. */
export interface MarginAlert {
  readonly type: "margin";
  /** Deterministic: the same cycle and change always yields the same id. */
  readonly id: string;
  readonly account: string;
  /** The pool's id: the asset for a cross pool ("BTC"), `SYMBOL#SIDE` for an isolated position. */
  readonly pool: string;
  /** For people: "BTC cross", "BTCUSD_PERP long isolated". */
  readonly poolLabel: string;
  readonly poolKind: "cross" | "isolated" | "portfolio";
  /** The book the pool is in; absent: COIN-M (every alert before products). */
  readonly product?: Product;
  /** The margin asset, in which requirement, collateral and the amount to add are counted. */
  readonly asset: string;
  readonly notice: MarginNotice;
  readonly level: string;
  readonly previousLevel: string;
  /** requirement / collateral; null when the collateral is zero or negative (beyond every level). */
  readonly ratio: number | null;
  /** |mark - liquidation| / mark of the nearest position; null when none has a liquidation price. */
  readonly distance: number | null;
  /** What each measure reaches on its own at this read (no hysteresis): says what drives the level. */
  readonly ratioLevel: string;
  readonly distanceLevel: string;
  readonly requirement: string;
  readonly collateral: string;
  readonly nearest?: NearestPosition;
  /**
   * Margin (in `asset`) to add to bring the pool under the lowest alert level by both measures
   * (ratio under its ratio, every liquidation price at least its distance away); absent when none is needed.
   */
  readonly marginToAdd?: string;
  /** The lowest alert level, which `marginToAdd` aims under. */
  readonly target?: { readonly level: string; readonly ratio: number; readonly distance?: number };
  /**
   * "mark-price": raised between signed reads, from the last read revalued at the mark price
   * stream's mark (lib/monitor/mark-watch.ts); absent: from a signed read of the account.
   */
  readonly source?: "mark-price";
  /** A Portfolio Margin account's figures (poolKind "portfolio"): what its alert is written from. */
  readonly portfolio?: PortfolioAlertFigures;
  readonly at: string;
}

export interface HealthAlert {
  readonly type: "health";
  readonly id: string;
  readonly account: string;
  readonly notice: HealthNotice;
  /** The book that cannot be read; absent: the account's COIN-M read (every alert before products). */
  readonly product?: Product;
  readonly failures: number;
  readonly errorKind?: string;
  /** Secret-free reason from our own error messages. */
  readonly reason?: string;
  readonly at: string;
}

export type Alert = MarginAlert | HealthAlert | KeyAlert;

export interface RenderedAlert {
  readonly subject: string;
  readonly email: string;
  readonly sms: string;
}

function ratioText(ratio: number | null): string {
  return ratio === null ? "collateral <= 0" : formatPercent(ratio, 1);
}

/** What moved the pool's level: its ratio, its distance to liquidation, or both. */
function drivers(alert: MarginAlert): string {
  if (alert.notice === "recovered") return "";
  const byRatio = alert.ratioLevel === alert.level;
  const byDistance = alert.distanceLevel === alert.level;
  if (byRatio && byDistance) return "ratio and distance to liquidation";
  if (byDistance) return "distance to liquidation";
  if (byRatio) return "margin ratio";
  // Held by hysteresis: neither measure reaches the level on its own now.
  return "held until the ratio or distance clears the level by the hysteresis";
}

/** Where the margin to add goes: the pool's wallet, in its book. */
function whereToAdd(alert: MarginAlert): string {
  if (alert.poolKind !== "cross") return "of margin to this isolated position";
  if (alert.product === undefined || alert.product === "coinm") return "to the cross wallet";
  // Multi-Assets mode: the account-wide pool is counted in USD, and any margin asset adds to it.
  if (alert.asset === "USD") return `of margin assets (valued in USD) to the ${PRODUCT_NAMES[alert.product]} wallet`;
  return `to the ${PRODUCT_NAMES[alert.product]} ${alert.asset} wallet`;
}

function renderMargin(alert: MarginAlert): RenderedAlert {
  const ratio = ratioText(alert.ratio);
  const level = alert.level.toUpperCase();
  const change =
    alert.notice === "escalated"
      ? `rose to ${level} (was ${alert.previousLevel})`
      : alert.notice === "recovered"
        ? `recovered to ${level} (was ${alert.previousLevel})`
        : `still ${level}`;
  const near = alert.nearest;
  const distance = alert.distance !== null ? formatDistance(alert.distance, 2) : undefined;
  const past = alert.distance !== null && alert.distance <= 0;
  const liqShort =
    near && distance
      ? `liq ${shortDecimal(near.liquidationPrice)} mark ${shortDecimal(near.markPrice)} (${past ? "PAST LIQ" : distance})`
      : "no liq price";
  const add = alert.marginToAdd ? `Add ${shortAmountUp(alert.marginToAdd)} ${alert.asset}` : "";
  const who = `${alert.account} ${alert.poolLabel}`;
  const fromMark = alert.source === "mark-price";
  const email = [
    `Account: ${alert.account}`,
    `Margin pool: ${alert.poolLabel}${alert.poolKind === "cross" ? ` (all cross positions margined in ${alert.asset})` : ""}`,
    `Level: ${change}${drivers(alert) ? `, driven by ${drivers(alert)}` : ""}`,
    `Margin ratio: ${ratio} = requirement ${alert.requirement} / collateral ${alert.collateral} ${alert.asset} (ratio alone: ${alert.ratioLevel})`,
    near && distance
      ? past
        ? `Distance to liquidation: none left, ${PAST_LIQUIDATION}: mark ${near.markPrice} is at or beyond liquidation ${near.liquidationPrice}, ${near.symbol} ${near.side} (distance alone: ${alert.distanceLevel})`
        : `Distance to liquidation: ${distance} = |mark ${near.markPrice} - liquidation ${near.liquidationPrice}| / mark, ${near.symbol} ${near.side} (distance alone: ${alert.distanceLevel})`
      : "Distance to liquidation: no position in this pool has a liquidation price",
    alert.marginToAdd && alert.target
      ? `To get under ${alert.target.level} (ratio below ${formatPercent(alert.target.ratio, 0)}${alert.target.distance !== undefined ? `, liquidation at least ${formatPercent(alert.target.distance, 0)} away` : ""}): add at least ${alert.marginToAdd} ${alert.asset} ${whereToAdd(alert)} (or reduce the position).`
      : undefined,
    `At: ${alert.at}`,
    fromMark
      ? "Source: Binance's mark price stream, between two signed reads: the last read's positions and wallets at the new mark. The next signed read confirms or corrects it."
      : undefined,
    "Binance liquidates a pool when its ratio reaches 100% (the mark reaches the liquidation price).",
  ]
    .filter((line): line is string => line !== undefined)
    .join("\n");
  return {
    subject: truncate(
      `coinm-guard: ${who} ${change}${fromMark ? " at mark" : ""}, ratio ${ratio}${distance ? (past ? ", PAST LIQUIDATION" : `, ${distance} to liq`) : ""}`,
      SUBJECT_MAX,
    ),
    email,
    sms: firstThatFits(
      [
        `coinm-guard ${who}: ${change}${fromMark ? " at mark" : ""}. Ratio ${ratio}, ${liqShort}.${add ? ` ${add}` : ""}`,
        `coinm-guard ${who}: ${change}${fromMark ? " at mark" : ""}. ${liqShort}.${add ? ` ${add}` : ""}`,
      ],
      SMS_MAX,
    ),
  };
}

export function renderAlert(alert: Alert): RenderedAlert {
  if (alert.type === "key") {
    const text = keyAlertText(alert);
    return { subject: truncate(text.subject, SUBJECT_MAX), email: text.email, sms: truncate(text.sms, SMS_MAX) };
  }
  if (alert.type === "health" && alert.product !== undefined && alert.product !== "coinm") {
    return renderProductHealth(alert, PRODUCT_NAMES[alert.product]);
  }
  if (alert.type === "health") {
    if (alert.notice === "restored") {
      return {
        subject: truncate(`coinm-guard: monitoring restored for ${alert.account}`, SUBJECT_MAX),
        email: `coinm-guard can read account "${alert.account}" again (at ${alert.at}) after ${alert.failures} failed cycle(s). Margin alerts are live again.`,
        sms: truncate(`coinm-guard ${alert.account}: monitoring restored`, SMS_MAX),
      };
    }
    return {
      subject: truncate(`coinm-guard: CANNOT READ account ${alert.account}`, SUBJECT_MAX),
      email: [
        `coinm-guard cannot read account "${alert.account}" and is NOT watching its margin.`,
        `Failed cycles in a row: ${alert.failures}`,
        `Cause (${alert.errorKind ?? "unknown"}): ${alert.reason ?? "unknown"}`,
        `Since: ${alert.at}`,
        "Check your positions on Binance directly until a 'monitoring restored' notice arrives.",
        ...(alert.errorKind === "binance-auth" ? [DELETED_KEY_HINT] : []),
      ].join("\n"),
      sms: truncate(
        `coinm-guard ${alert.account}: CANNOT READ ACCOUNT (${alert.errorKind ?? "error"}). Not monitored. Check Binance.`,
        SMS_MAX,
      ),
    };
  }
  return alert.poolKind === "portfolio" ? renderPortfolioMargin(alert) : renderMargin(alert);
}

/** A product read beside COIN-M (USD-M) that cannot be read: that book is unwatched, COIN-M is not. */
function renderProductHealth(alert: HealthAlert, book: string): RenderedAlert {
  if (alert.notice === "restored") {
    return {
      subject: truncate(`coinm-guard: ${book} monitoring restored for ${alert.account}`, SUBJECT_MAX),
      email: `coinm-guard can read the ${book} book of account "${alert.account}" again (at ${alert.at}) after ${alert.failures} failed read(s). ${book} margin alerts are live again.`,
      sms: truncate(`coinm-guard ${alert.account}: ${book} monitoring restored`, SMS_MAX),
    };
  }
  return {
    subject: truncate(`coinm-guard: CANNOT READ ${book} of ${alert.account}`, SUBJECT_MAX),
    email: [
      `coinm-guard cannot read the ${book} book of account "${alert.account}" and is NOT watching its ${book} margin.`,
      "COIN-M monitoring of this account goes on as before.",
      `Failed reads in a row: ${alert.failures}`,
      `Cause (${alert.errorKind ?? "unknown"}): ${alert.reason ?? "unknown"}`,
      `Since: ${alert.at}`,
      `Check your ${book} positions on Binance directly until a '${book} monitoring restored' notice arrives.`,
    ].join("\n"),
    sms: truncate(
      `coinm-guard ${alert.account}: CANNOT READ ${book} (${alert.errorKind ?? "error"}). ${book} not monitored; COIN-M is.`,
      SMS_MAX,
    ),
  };
}
