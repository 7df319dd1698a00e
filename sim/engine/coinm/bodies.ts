/**
 * The bodies Binance answers for a COIN-M account: `GET /dapi/v1/account` and
 * `GET /dapi/v1/positionRisk`, rendered from the engine's figures. Each per-position figure is
 * rounded to 1e-8 coin once and asset totals are summed from those rounded figures in integers, so
 * the rendered body is self-consistent to the last digit (marginBalance = walletBalance +
 * unrealizedProfit exactly).
 */
import { formatPrice, formatUnits, toUnits } from "../units.js";
import {
  type EngineAccount,
  type EnginePosition,
  markOf,
  type PositionSide,
  validateEngineAccount,
} from "./account.js";
import { marginAssetOf, pairOf } from "./contract.js";
import { liquidationPriceOf, positionFigures } from "./figures.js";

const SIDES: readonly PositionSide[] = ["BOTH", "LONG", "SHORT"];
const DEFAULT_UPDATE_TIME = 1_700_000_000_000;

/** The rows Binance lists: every listed position plus, per touched symbol, the zero rows of the mode. */
export function listedRows(account: EngineAccount): EnginePosition[] {
  const out: EnginePosition[] = [];
  const symbols = [...new Set(account.positions.map((p) => p.symbol))];
  for (const symbol of symbols) {
    const mine = account.positions.filter((p) => p.symbol === symbol);
    const template = mine[0];
    if (!template) continue;
    for (const side of account.hedgeMode ? SIDES : (["BOTH"] as const)) {
      const found = mine.find((p) => p.positionSide === side);
      out.push(
        found ?? {
          symbol,
          positionSide: side,
          positionAmt: 0,
          entryPrice: 0,
          leverage: template.leverage,
          marginType: template.marginType,
        },
      );
    }
  }
  return out;
}

/**
 * Break-even price: entry moved by an assumed 0.05% taker fee paid on open and on close. Binance
 * derives it from the fees actually paid; a plausible value is all a monitor can be tested with.
 */
function breakEvenPrice(p: EnginePosition): number {
  return p.entryPrice * (1 + Math.sign(p.positionAmt) * 0.001);
}

/** Maximum base-asset quantity at a leverage; plausible (50 at 125x, like Binance's BTCUSD tiers). */
function maxQty(leverage: number): string {
  return String(Math.max(1, Math.floor(6250 / leverage)));
}

interface RenderedRow {
  readonly position: EnginePosition;
  readonly pnl: bigint;
  readonly maint: bigint;
  readonly initial: bigint;
  readonly notional: bigint;
  readonly wallet: bigint;
}

function rendered(account: EngineAccount): RenderedRow[] {
  validateEngineAccount(account);
  return listedRows(account).map((position) => {
    if (position.positionAmt === 0) {
      return { position, pnl: 0n, maint: 0n, initial: 0n, notional: 0n, wallet: 0n };
    }
    const f = positionFigures(account, position);
    return {
      position,
      pnl: toUnits(f.unrealizedPnl),
      maint: toUnits(f.maintMargin),
      initial: toUnits(f.initialMargin),
      notional: toUnits(f.side * f.notional),
      wallet: position.marginType === "isolated" ? toUnits(position.isolatedWallet ?? 0) : 0n,
    };
  });
}

// Math.min does not take bigints.
const minUnits = (a: bigint, b: bigint): bigint => (a < b ? a : b);

const sum = (rows: readonly RenderedRow[], pick: (r: RenderedRow) => bigint) => rows.reduce((s, r) => s + pick(r), 0n);

/** The `GET /dapi/v1/account` response object. */
export function accountResponse(account: EngineAccount): Record<string, unknown> {
  const rows = rendered(account);
  const updateTime = account.updateTime ?? DEFAULT_UPDATE_TIME;
  const assetNames = [
    ...new Set([...Object.keys(account.crossWallets), ...rows.map((r) => marginAssetOf(r.position.symbol))]),
  ];
  const assets = assetNames.map((asset) => {
    const mine = rows.filter((r) => marginAssetOf(r.position.symbol) === asset);
    const cross = mine.filter((r) => r.position.marginType === "cross");
    const crossWallet = toUnits(account.crossWallets[asset] ?? 0);
    const crossUnPnl = sum(cross, (r) => r.pnl);
    const walletBalance = crossWallet + sum(mine, (r) => r.wallet);
    const unrealizedProfit = sum(mine, (r) => r.pnl);
    const initialMargin = sum(mine, (r) => r.initial);
    // What cross margin can still open or withdraw: isolated wallets are locked in their positions.
    const available = crossWallet + crossUnPnl - sum(cross, (r) => r.initial);
    const maxWithdraw = minUnits(available, crossWallet);
    return {
      asset,
      walletBalance: formatUnits(walletBalance),
      unrealizedProfit: formatUnits(unrealizedProfit),
      marginBalance: formatUnits(walletBalance + unrealizedProfit),
      // Binance's docs do not say whether this includes isolated positions; the engine includes them.
      maintMargin: formatUnits(sum(mine, (r) => r.maint)),
      initialMargin: formatUnits(initialMargin),
      positionInitialMargin: formatUnits(initialMargin),
      openOrderInitialMargin: formatUnits(0n),
      maxWithdrawAmount: formatUnits(maxWithdraw > 0n ? maxWithdraw : 0n),
      crossWalletBalance: formatUnits(crossWallet),
      crossUnPnl: formatUnits(crossUnPnl),
      availableBalance: formatUnits(available),
      updateTime: mine.length > 0 || crossWallet !== 0n ? updateTime : 0,
    };
  });
  const positions = rows.map((r) => {
    const p = r.position;
    const flat = p.positionAmt === 0;
    return {
      symbol: p.symbol,
      positionAmt: String(p.positionAmt),
      initialMargin: flat ? "0" : formatUnits(r.initial),
      maintMargin: flat ? "0" : formatUnits(r.maint),
      unrealizedProfit: formatUnits(r.pnl),
      positionInitialMargin: flat ? "0" : formatUnits(r.initial),
      openOrderInitialMargin: "0",
      leverage: String(p.leverage),
      isolated: p.marginType === "isolated",
      positionSide: p.positionSide,
      entryPrice: flat ? "0.0" : formatPrice(p.entryPrice),
      breakEvenPrice: flat ? "0.0" : formatPrice(breakEvenPrice(p)),
      maxQty: maxQty(p.leverage),
      notionalValue: flat ? "0" : formatUnits(r.notional),
      updateTime: flat ? 0 : updateTime,
    };
  });
  return { assets, positions, canDeposit: true, canTrade: true, canWithdraw: true, feeTier: 0, updateTime: 0 };
}

export function accountBodyOf(account: EngineAccount): string {
  return JSON.stringify(accountResponse(account));
}

/** positionRisk's optional filters; both given means both must match. */
export interface PositionRiskFilter {
  readonly marginAsset?: string;
  readonly pair?: string;
}

/** The `GET /dapi/v1/positionRisk` rows. */
export function positionRiskRows(account: EngineAccount, filter: PositionRiskFilter = {}): Record<string, unknown>[] {
  const updateTime = account.updateTime ?? DEFAULT_UPDATE_TIME;
  return rendered(account)
    .filter(
      (r) =>
        (!filter.marginAsset || marginAssetOf(r.position.symbol) === filter.marginAsset) &&
        (!filter.pair || pairOf(r.position.symbol) === filter.pair),
    )
    .map((r) => {
      const p = r.position;
      const flat = p.positionAmt === 0;
      const isolated = p.marginType === "isolated";
      const liq = liquidationPriceOf(account, p);
      return {
        symbol: p.symbol,
        positionAmt: String(p.positionAmt),
        entryPrice: flat ? "0.0" : formatPrice(p.entryPrice),
        breakEvenPrice: flat ? "0.0" : formatPrice(breakEvenPrice(p)),
        markPrice: formatPrice(flat ? (account.marks[p.symbol] ?? 0) : markOf(account, p.symbol)),
        unRealizedProfit: formatUnits(r.pnl),
        liquidationPrice: liq === 0 ? "0" : formatPrice(liq),
        leverage: String(p.leverage),
        maxQty: maxQty(p.leverage),
        marginType: p.marginType,
        isolatedMargin: formatUnits(isolated ? r.wallet + r.pnl : 0n),
        isolatedWallet: isolated ? formatUnits(r.wallet) : "0",
        notionalValue: flat ? "0" : formatUnits(r.notional),
        isAutoAddMargin: "false",
        positionSide: p.positionSide,
        updateTime: flat ? 0 : updateTime,
      };
    });
}

export function positionRiskBodyOf(account: EngineAccount, filter: PositionRiskFilter = {}): string {
  return JSON.stringify(positionRiskRows(account, filter));
}
