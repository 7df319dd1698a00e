/**
 * One list of open USD-M positions from its two views: `/fapi/v3/positionRisk` gives each
 * position's mark, liquidation price, margin asset, maintenance and isolated collateral; the
 * account's rows must list the same open positions (else the views were taken either side of a
 * trade, and the read is refused rather than half-believed) and give a maintenance margin where
 * positionRisk has none.
 */
import { PositionsMismatchError } from "../../core/errors.js";
import { parseDecimal } from "../../risk/decimal.js";
import {
  liquidationDistance,
  type MarginType,
  type OpenPosition,
  positionKey,
  sideOf,
  withDistances,
} from "../../risk/positions.js";
import type { UsdmAccountInfo, UsdmAccountPosition } from "./account.js";
import type { UsdmPositionRiskRow } from "./position-risk.js";

const nonZero = (text: string | undefined) => text !== undefined && parseDecimal(text)?.units !== 0n;

function marginTypeOf(row: UsdmPositionRiskRow, held: UsdmAccountPosition): MarginType {
  return held.isolated === true || nonZero(row.isolatedWallet) || nonZero(held.isolatedWallet) ? "isolated" : "cross";
}

/** Join the two views. Throws PositionsMismatchError when they disagree on which positions are open. */
export function joinUsdmPositions(account: UsdmAccountInfo, rows: readonly UsdmPositionRiskRow[]): OpenPosition[] {
  const fromAccount = new Map<string, UsdmAccountPosition>(account.positions.map((p) => [positionKey(p), p]));
  const assets = new Set(account.assets.map((a) => a.asset));
  const out: OpenPosition[] = [];
  for (const row of rows) {
    const key = positionKey(row);
    const held = fromAccount.get(key);
    if (!held) throw new PositionsMismatchError(`USD-M positionRisk lists ${key} but the account does not`);
    fromAccount.delete(key);
    const maintMargin = row.maintMargin ?? held.maintMargin;
    // Without its maintenance margin an open position's risk cannot be told.
    if (maintMargin === undefined) throw new PositionsMismatchError(`USD-M ${key} has no maintenance margin`);
    // Its pool's collateral lives in that asset's balance: without it the risk cannot be told.
    if (!assets.has(row.marginAsset)) {
      throw new PositionsMismatchError(
        `USD-M ${key} is margined in ${row.marginAsset}, which the account does not list`,
      );
    }
    const marginType = marginTypeOf(row, held);
    const side = sideOf(row.positionSide, row.positionAmt);
    out.push({
      product: "usdm",
      symbol: row.symbol,
      positionSide: row.positionSide,
      side,
      marginType,
      marginAsset: row.marginAsset,
      positionAmt: row.positionAmt,
      entryPrice: row.entryPrice,
      markPrice: row.markPrice,
      liquidationPrice: row.liquidationPrice,
      maintMargin,
      unrealizedProfit: row.unRealizedProfit,
      ...(marginType === "isolated" ? { isolatedMargin: row.isolatedMargin, isolatedWallet: row.isolatedWallet } : {}),
      distance: liquidationDistance(row.markPrice, row.liquidationPrice, side),
    });
  }
  const [missing] = fromAccount.keys();
  if (missing !== undefined) {
    // v3 positionRisk lists every symbol with a position: one it leaves out is a changed book.
    throw new PositionsMismatchError(`the USD-M account lists ${missing} but positionRisk does not`);
  }
  // Hedge-mode cross rows of a symbol share a liquidation price: their direction is the net one.
  return withDistances(out).sort((a, b) => positionKey(a).localeCompare(positionKey(b)));
}
