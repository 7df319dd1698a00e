/** Builders for realistic `GET /dapi/v1/account` bodies, shaped like the documented response. */

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
  const scale = 8;
  const toUnits = (s: string) => {
    const [w = "0", f = ""] = s.replace("-", "").split(".");
    const units = BigInt(w + f.padEnd(scale, "0").slice(0, scale));
    return s.startsWith("-") ? -units : units;
  };
  const sum = toUnits(a) + toUnits(b);
  const neg = sum < 0n;
  const digits = (neg ? -sum : sum).toString().padStart(scale + 1, "0");
  return `${neg ? "-" : ""}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
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
