/**
 * Builders for realistic `GET /dapi/v1/account` bodies, shaped like the documented response. These
 * set the asset figures directly (every position cross, crossWalletBalance = walletBalance); for
 * bodies computed from positions and prices use the margin engine (sim/engine/coinm/), e.g.
 * `crossAccountAtRatio` below.
 */
import { buildEngineAccount, type EngineAccount } from "./engine/coinm/account.js";
import { DEFAULT_BRACKET } from "./engine/coinm/contract.js";
import { formatUnits, toUnits } from "./engine/units.js";

export interface AssetFigures {
  readonly asset: string;
  readonly walletBalance: string;
  readonly maintMargin: string;
  readonly unrealizedProfit?: string;
  /** Defaults to walletBalance + unrealizedProfit, as Binance computes it. */
  readonly marginBalance?: string;
  readonly initialMargin?: string;
}

function add(a: string, b: string): string {
  return formatUnits(toUnits(a) + toUnits(b));
}

export function assetEntry(f: AssetFigures, updateTime = 1_700_000_000_000): Record<string, unknown> {
  const unrealizedProfit = f.unrealizedProfit ?? "0.00000000";
  const marginBalance = f.marginBalance ?? add(f.walletBalance, unrealizedProfit);
  const initialMargin = f.initialMargin ?? f.maintMargin;
  return {
    asset: f.asset,
    walletBalance: f.walletBalance,
    unrealizedProfit,
    marginBalance,
    maintMargin: f.maintMargin,
    initialMargin,
    positionInitialMargin: initialMargin,
    openOrderInitialMargin: "0.00000000",
    maxWithdrawAmount: f.walletBalance,
    crossWalletBalance: f.walletBalance,
    crossUnPnl: unrealizedProfit,
    availableBalance: f.walletBalance,
    updateTime,
  };
}

/** A full account body: the given assets plus the zero-balance ones Binance always lists. */
export function accountBody(assets: readonly AssetFigures[], options: { padZeroAssets?: boolean } = {}): string {
  const listed = new Set(assets.map((a) => a.asset));
  const zeros =
    options.padZeroAssets === false ? [] : ["ETH", "BNB", "ADA", "DOT", "LINK"].filter((a) => !listed.has(a));
  const entries = [
    ...assets.map((a) => assetEntry(a)),
    ...zeros.map((asset) => assetEntry({ asset, walletBalance: "0.00000000", maintMargin: "0.00000000" }, 0)),
  ];
  const positions = assets
    .filter((a) => a.maintMargin !== "0" && !/^0(\.0+)?$/.test(a.maintMargin))
    .map((a) => ({
      symbol: `${a.asset}USD_PERP`,
      positionAmt: "10",
      initialMargin: a.initialMargin ?? a.maintMargin,
      maintMargin: a.maintMargin,
      unrealizedProfit: a.unrealizedProfit ?? "0.00000000",
      positionInitialMargin: a.initialMargin ?? a.maintMargin,
      openOrderInitialMargin: "0",
      leverage: "20",
      isolated: false,
      positionSide: "BOTH",
      entryPrice: "60000.0",
      breakEvenPrice: "60010.0",
      maxQty: "50",
      updateTime: 1_700_000_000_000,
    }));
  return JSON.stringify({
    assets: entries,
    positions,
    canDeposit: true,
    canTrade: true,
    canWithdraw: true,
    feeTier: 0,
    updateTime: 0,
  });
}

/** An account holding `walletBalance` BTC whose margin ratio (maint/marginBalance) is `ratio`. */
export function btcAtRatio(ratio: number, walletBalance = "1.00000000"): AssetFigures {
  const wb = Number(walletBalance);
  return { asset: "BTC", walletBalance, maintMargin: (wb * ratio).toFixed(8) };
}

/**
 * The engine's counterpart of `btcAtRatio`: an all-cross account of `walletBalance` BTC holding one
 * BTCUSD_PERP long marked at its entry (no PnL), sized so maintMargin / marginBalance is `ratio`
 * (exact for ratios with up to 4 decimals at the default bracket). Move its mark with `withMark`.
 */
export function crossAccountAtRatio(ratio: number, walletBalance = "1.00000000", mark = 60_000): EngineAccount {
  const wallet = Number(toUnits(walletBalance)) / 1e8;
  // maint = contracts × 100 / mark × m  =>  contracts = ratio × wallet × mark / (100 m)
  const contracts = Math.round((ratio * wallet * mark) / (100 * DEFAULT_BRACKET.maintMarginRatio));
  return buildEngineAccount({
    crossWallets: { BTC: walletBalance },
    positions: contracts > 0 ? [{ symbol: "BTCUSD_PERP", positionAmt: contracts, entryPrice: mark }] : [],
  });
}
