/**
 * Realistic inputs for the benchmarks: HMAC keys shaped like Binance's (64 alphanumerics) and
 * account bodies with 1 to 5 active COIN-M assets, each with every decimal field Binance sends
 * at full 8-decimal precision. Ratios stay below the warning level: steady-state cycles, no alerts.
 */
import { randomBytes } from "node:crypto";
import { type AssetFigures, accountBody } from "../../sim/account-fixtures.js";
import type { LinearAccount } from "../../sim/engine/usdm/bodies.js";
import type { ExchangeKey } from "../../sim/exchange/signature.js";

export interface BenchAccount {
  readonly name: string;
  readonly secretId: string;
  readonly key: ExchangeKey & { readonly type: "hmac" };
  /** The secret's JSON value. */
  readonly secretValue: string;
}

export function benchAccount(index: number): BenchAccount {
  const apiKey = randomBytes(32).toString("hex");
  const apiSecret = randomBytes(32).toString("hex");
  // Realistic alias length ("desk-07-main"), which is part of every key and log line.
  const name = `desk-${String(index).padStart(3, "0")}-main`;
  return {
    name,
    secretId: `coinm-guard/${name}`,
    key: { type: "hmac", apiKey, apiSecret },
    secretValue: JSON.stringify({ apiKey, apiSecret }),
  };
}

/** Active assets in the order an account accumulates them. */
const ASSETS: readonly AssetFigures[] = [
  {
    asset: "BTC",
    walletBalance: "2.48713906",
    maintMargin: "0.18273645",
    unrealizedProfit: "-0.04518273",
    initialMargin: "0.36547290",
  },
  {
    asset: "ETH",
    walletBalance: "31.90437721",
    maintMargin: "1.27361904",
    unrealizedProfit: "0.83710442",
    initialMargin: "2.54723808",
  },
  {
    asset: "BNB",
    walletBalance: "118.30957214",
    maintMargin: "4.91826377",
    unrealizedProfit: "-1.20394857",
    initialMargin: "9.83652754",
  },
  {
    asset: "XRP",
    walletBalance: "25318.44019283",
    maintMargin: "612.73419028",
    unrealizedProfit: "148.01928374",
    initialMargin: "1225.46838056",
  },
  {
    asset: "SOL",
    walletBalance: "402.17730461",
    maintMargin: "11.93847102",
    unrealizedProfit: "-6.48201937",
    initialMargin: "23.87694204",
  },
];

export function realisticAccountBody(activeAssets: number): string {
  if (activeAssets < 1 || activeAssets > ASSETS.length) throw new Error(`1 to ${ASSETS.length} active assets`);
  return accountBody(ASSETS.slice(0, activeAssets));
}

/**
 * A USD-M book a COIN-M trader might keep beside it: a BTC hedge and an alt long in the USDT
 * cross pool, an isolated SOL position, and a USDC pool. Far from every level (steady state).
 */
export const BENCH_USDM_BOOK: LinearAccount = {
  wallets: { USDT: 250_000, USDC: 40_000 },
  positions: [
    { symbol: "BTCUSDT", positionAmt: -1.5, entryPrice: 61_250.5 },
    { symbol: "ETHUSDT", positionAmt: 12.35, entryPrice: 3_012.17 },
    { symbol: "SOLUSDT", positionAmt: 150, entryPrice: 148.21, marginType: "isolated", isolatedWallet: 9_000 },
    { symbol: "ETHUSDC", positionAmt: 4.2, entryPrice: 3_020.4 },
  ],
  marks: { BTCUSDT: 60_870.1, ETHUSDT: 3_050.55, SOLUSDT: 151.37, ETHUSDC: 3_049.9 },
};
