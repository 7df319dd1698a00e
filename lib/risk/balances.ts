/**
 * An asset's balances as Binance reports them per margin asset (COIN-M's `/dapi/v1/account`
 * assets; USD-M's use the same names, less maxWithdrawAmount), kept as raw decimal strings: what
 * a read hands the cycle, what the snapshot stores and what a cross pool is cut from. Adapters
 * parse into it; the domain and the use-case never import an adapter for it.
 */

/** Fields kept from each asset entry, all raw decimal strings. */
export const ASSET_DECIMAL_FIELDS = [
  "walletBalance",
  "unrealizedProfit",
  "marginBalance",
  "maintMargin",
  "initialMargin",
  "positionInitialMargin",
  "openOrderInitialMargin",
  "maxWithdrawAmount",
  "crossWalletBalance",
  "crossUnPnl",
  "availableBalance",
] as const;

export type AssetDecimalField = (typeof ASSET_DECIMAL_FIELDS)[number];

export type AssetBalance = { readonly asset: string; readonly updateTime?: number } & {
  readonly [K in AssetDecimalField]?: string;
} & { readonly walletBalance: string; readonly marginBalance: string; readonly maintMargin: string };
