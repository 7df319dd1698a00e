/**
 * One list of open positions from COIN-M's two views of them: `/account` gives each position's
 * maintenance margin and whether it is isolated, `/positionRisk` its mark, liquidation price and
 * isolated collateral. A position in one view and not the other means the views were taken
 * either side of a trade; that read is refused rather than half-believed.
 */
import { PositionsMismatchError } from "../../core/errors.js";
import {
  type MarginType,
  marginAssetOf,
  type OpenPosition,
  positionKey,
  sideOf,
  withDistances,
} from "../../risk/positions.js";
import type { AccountInfo, AccountPosition } from "./account.js";
import type { PositionRiskRow } from "./position-risk.js";

/**
 * Join the two views. Throws PositionsMismatchError when an open position is in one and not the
 * other, or they disagree on its margin type; a cross position that positionRisk does not list
 * (its symbol is not TRADING, e.g. settling) is kept without mark and liquidation price.
 */
export function joinPositions(account: AccountInfo, rows: readonly PositionRiskRow[]): OpenPosition[] {
  const fromAccount = new Map<string, AccountPosition>(account.positions.map((p) => [positionKey(p), p]));
  const out: OpenPosition[] = [];
  for (const row of rows) {
    const key = positionKey(row);
    const held = fromAccount.get(key);
    if (!held) throw new PositionsMismatchError(`positionRisk lists ${key} but the account does not`);
    fromAccount.delete(key);
    const marginType: MarginType = held.isolated ? "isolated" : "cross";
    if (marginType !== row.marginType) {
      throw new PositionsMismatchError(`${key} is ${marginType} in the account but ${row.marginType} in positionRisk`);
    }
    const isolatedWallet = row.isolatedWallet ?? held.isolatedWallet;
    out.push({
      symbol: row.symbol,
      positionSide: row.positionSide,
      side: sideOf(row.positionSide, row.positionAmt),
      marginType,
      marginAsset: marginAssetOf(row.symbol),
      positionAmt: row.positionAmt,
      entryPrice: row.entryPrice,
      markPrice: row.markPrice,
      liquidationPrice: row.liquidationPrice,
      maintMargin: held.maintMargin,
      unrealizedProfit: row.unRealizedProfit,
      ...(marginType === "isolated" ? { isolatedMargin: row.isolatedMargin } : {}),
      ...(isolatedWallet !== undefined ? { isolatedWallet } : {}),
      leverage: row.leverage,
      // Set below, once every row is known: hedge-mode cross rows of a symbol share a liquidation price.
      distance: null,
    });
  }
  for (const [key, held] of fromAccount) {
    // Without positionRisk an isolated position's collateral is unknown: no honest ratio.
    if (held.isolated) throw new PositionsMismatchError(`the account lists isolated ${key} but positionRisk does not`);
    out.push({
      symbol: held.symbol,
      positionSide: held.positionSide,
      side: sideOf(held.positionSide, held.positionAmt),
      marginType: "cross",
      marginAsset: marginAssetOf(held.symbol),
      positionAmt: held.positionAmt,
      ...(held.entryPrice !== undefined ? { entryPrice: held.entryPrice } : {}),
      maintMargin: held.maintMargin,
      unrealizedProfit: held.unrealizedProfit,
      ...(held.leverage !== undefined ? { leverage: held.leverage } : {}),
      distance: null,
    });
  }
  const assets = new Set(account.assets.map((a) => a.asset));
  for (const p of out) {
    // Its pool's collateral lives in that asset's balance: without it the risk cannot be told.
    if (!assets.has(p.marginAsset)) {
      throw new PositionsMismatchError(
        `${positionKey(p)} is margined in ${p.marginAsset}, which the account does not list`,
      );
    }
  }
  return withDistances(out).sort((a, b) => positionKey(a).localeCompare(positionKey(b)));
}
