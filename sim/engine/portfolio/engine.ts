/**
 * A loopback Portfolio Margin (PM) engine: unified accounts per API key, holding COIN-M (inverse)
 * and USD-M (linear) positions against one pool of collateral (coins valued at their price, USD
 * balances and loans at face value), with exchange-wide prices per asset. From the same positions
 * and prices it renders consistent `/papi/v1/account`, `/papi/v1/cm/positionRisk` and
 * `/papi/v1/um/positionRisk` bodies (shared spec binance-portfolio-margin.md). Marks equal the
 * asset's price (no basis). Per position:
 *   UM: PnL (USD) = amt × (mark − entry); maintenance (USD) = |amt| × mark × rate
 *   CM: size S = |amt| × contract size (USD); PnL (USD) = side × S × (mark / entry − 1);
 *       maintenance (USD) = S × rate
 *   accountEquity = Σ collateral value + Σ PnL; accountMaintMargin = Σ maintenance;
 *   uniMMR = accountEquity / accountMaintMargin.
 * Equity and maintenance are linear in each asset's price, so every position on an asset has one
 * liquidation price: where that asset's price alone moving brings uniMMR to Binance's
 * liquidation mark (105%); "0" where no positive price does (a hedged book). The status follows
 * Binance's table unless a scenario sets one. Never in production.
 */
import { contractSizeOf, marginAssetOf } from "../coinm/contract.js";
import { formatPrice, formatUnits, MarginEngineInputError, toUnits } from "../units.js";

export type PortfolioSegment = "cm" | "um";

export interface PortfolioEnginePosition {
  readonly segment: PortfolioSegment;
  readonly symbol: string;
  /** COIN-M: whole contracts; USD-M: base asset. Negative for a short. */
  readonly positionAmt: number;
  readonly entryPrice: number;
  readonly positionSide?: "BOTH" | "LONG" | "SHORT";
  /** @default 20 */
  readonly leverage?: number;
}

export interface PortfolioEngineAccount {
  /** Coin balances by asset ("BTC": 10); USD, USDT and USDC count at face value; negative: a loan. */
  readonly collateral: Readonly<Record<string, number>>;
  readonly positions: readonly PortfolioEnginePosition[];
  /** USD price per asset ("BTC": 100000); every coin held or traded needs one. */
  readonly prices: Readonly<Record<string, number>>;
  /** Maintenance rate of notional. @default 0.005 */
  readonly maintRate?: number;
  /** What `accountStatus` says; @default from uniMMR by Binance's table */
  readonly status?: string;
  /** @default 1_700_000_000_000 */
  readonly updateTime?: number;
}

/** Binance liquidates a PM account at uniMMR 105%. */
const LIQUIDATION_UNIMMR = 1.05;
const STABLE = new Set(["USD", "USDT", "USDC"]);
const UM_SYMBOL = /^([A-Z0-9]{2,20}?)(USDT|USDC)$/;

/** The asset whose price moves a position: BTC for BTCUSD_PERP and BTCUSDT. */
export function assetOf(p: Pick<PortfolioEnginePosition, "segment" | "symbol">): string {
  if (p.segment === "cm") return marginAssetOf(p.symbol);
  const m = UM_SYMBOL.exec(p.symbol);
  if (!m?.[1]) throw new MarginEngineInputError(`not a USD-M symbol: ${p.symbol}`);
  return m[1];
}

function priceOf(account: PortfolioEngineAccount, asset: string): number {
  if (STABLE.has(asset)) return 1;
  const price = account.prices[asset];
  if (price === undefined || !(price > 0)) throw new MarginEngineInputError(`no positive price for ${asset}`);
  return price;
}

interface Row {
  readonly p: PortfolioEnginePosition;
  readonly asset: string;
  readonly mark: number;
  readonly pnl: number;
  readonly maint: number;
  /** d(equity − 1.05 × maintenance) / d(price of its asset). */
  readonly slope: number;
}

function row(account: PortfolioEngineAccount, p: PortfolioEnginePosition): Row {
  const asset = assetOf(p);
  const mark = priceOf(account, asset);
  if (!(p.entryPrice > 0)) throw new MarginEngineInputError(`${p.symbol}: entryPrice must be > 0`);
  const rate = account.maintRate ?? 0.005;
  if (p.segment === "um") {
    const amt = p.positionAmt;
    return {
      p,
      asset,
      mark,
      pnl: amt * (mark - p.entryPrice),
      maint: Math.abs(amt) * mark * rate,
      slope: amt - LIQUIDATION_UNIMMR * Math.abs(amt) * rate,
    };
  }
  if (!Number.isInteger(p.positionAmt)) throw new MarginEngineInputError(`${p.symbol}: whole contracts only`);
  const side = Math.sign(p.positionAmt);
  const size = Math.abs(p.positionAmt) * contractSizeOf(p.symbol);
  return {
    p,
    asset,
    mark,
    pnl: side * size * (mark / p.entryPrice - 1),
    maint: size * rate,
    slope: (side * size) / p.entryPrice,
  };
}

/** Binance's table: reminder at 150%, reduce-only at 120%, liquidation at 105%. */
function statusOf(uniMMR: number, equity: bigint): string {
  if (equity <= 0n) return "BANKRUPTED";
  if (uniMMR <= LIQUIDATION_UNIMMR) return "ACTIVE_LIQUIDATION";
  if (uniMMR <= 1.2) return "REDUCE_ONLY";
  if (uniMMR <= 1.5) return "MARGIN_CALL";
  return "NORMAL";
}

const usd = (value: number) => formatUnits(toUnits(value));

/** The account's figures, in the units the bodies render (1e-8 USD), and each asset's liquidation price. */
export function portfolioFigures(account: PortfolioEngineAccount) {
  const rows = account.positions.filter((p) => p.positionAmt !== 0).map((p) => row(account, p));
  const held = Object.entries(account.collateral).map(([asset, amount]) => ({
    asset,
    value: amount * priceOf(account, asset),
    slope: STABLE.has(asset) ? 0 : amount,
  }));
  const equity = held.reduce((s, c) => s + toUnits(c.value), 0n) + rows.reduce((s, r) => s + toUnits(r.pnl), 0n);
  const maint = rows.reduce((s, r) => s + toUnits(r.maint), 0n);
  // uniMMR from the very units rendered, so the body is consistent to the last digit.
  const uniMMR = maint > 0n ? Number((equity * 100_000_000n) / maint) / 1e8 : 0;
  const cushion = Number(equity) / 1e8 - LIQUIDATION_UNIMMR * (Number(maint) / 1e8);
  const liquidationPrice = (asset: string): number => {
    const slope =
      held.filter((c) => c.asset === asset).reduce((s, c) => s + c.slope, 0) +
      rows.filter((r) => r.asset === asset).reduce((s, r) => s + r.slope, 0);
    if (Math.abs(slope) < 1e-12) return 0;
    const price = priceOf(account, asset) - cushion / slope;
    return Math.max(price, 0);
  };
  return { rows, equity, maint, uniMMR, liquidationPrice };
}

export function accountBody(account: PortfolioEngineAccount): string {
  const { equity, maint, uniMMR } = portfolioFigures(account);
  const free = Math.max(0, Number(equity - maint * 2n) / 1e8);
  return JSON.stringify({
    uniMMR: uniMMR.toFixed(8),
    accountEquity: formatUnits(equity),
    actualEquity: formatUnits(equity),
    accountInitialMargin: formatUnits(maint * 2n),
    accountMaintMargin: formatUnits(maint),
    accountStatus: account.status ?? statusOf(maint > 0n ? uniMMR : Number.POSITIVE_INFINITY, equity),
    virtualMaxWithdrawAmount: usd(free),
    totalAvailableBalance: usd(free),
    totalMarginOpenLoss: "0.00000000",
    updateTime: account.updateTime ?? 1_700_000_000_000,
  });
}

export function positionRiskBody(account: PortfolioEngineAccount, segment: PortfolioSegment): string {
  const all = portfolioFigures(account);
  const rows = all.rows
    .filter((r) => r.p.segment === segment)
    .map((r) => {
      const common = {
        symbol: r.p.symbol,
        positionAmt: segment === "cm" ? String(r.p.positionAmt) : r.p.positionAmt.toFixed(3),
        entryPrice: formatPrice(r.p.entryPrice),
        markPrice: formatPrice(r.mark),
        // COIN-M counts PnL in the coin, USD-M in USD.
        unRealizedProfit: segment === "cm" ? formatUnits(toUnits(r.pnl / r.mark)) : usd(r.pnl),
        liquidationPrice: formatPrice(all.liquidationPrice(r.asset)),
        leverage: String(r.p.leverage ?? 20),
        positionSide: r.p.positionSide ?? "BOTH",
        updateTime: account.updateTime ?? 1_700_000_000_000,
        breakEvenPrice: formatPrice(r.p.entryPrice),
      };
      return segment === "cm"
        ? {
            ...common,
            maxQty: "1000000",
            notionalValue: formatUnits(toUnits((r.p.positionAmt * contractSizeOf(r.p.symbol)) / r.mark)),
          }
        : { ...common, notional: usd(r.p.positionAmt * r.mark), maxNotionalValue: "100000000" };
    });
  return JSON.stringify(rows);
}

/** PM accounts per API key plus exchange-wide prices, as the loopback exchange holds them. */
export class PortfolioEngine {
  private readonly accounts = new Map<string, PortfolioEngineAccount>();
  private readonly prices: Record<string, number> = {};

  constructor(accounts: Iterable<readonly [string, PortfolioEngineAccount]> = []) {
    for (const [apiKey, account] of accounts) this.set(apiKey, account);
  }

  /** Validated when set: a state Binance could not be in throws MarginEngineInputError. */
  set(apiKey: string, account: PortfolioEngineAccount): void {
    portfolioFigures(this.withPrices(account));
    this.accounts.set(apiKey, account);
  }

  holds(apiKey: string | undefined): boolean {
    return apiKey !== undefined && this.accounts.has(apiKey);
  }

  /** The key's account with the exchange-wide prices applied. */
  get(apiKey: string): PortfolioEngineAccount | undefined {
    const account = this.accounts.get(apiKey);
    return account && this.withPrices(account);
  }

  /** Move an asset's price for every account, as a market move does. */
  setPrice(asset: string, price: number): void {
    if (!(price > 0)) throw new MarginEngineInputError(`price must be > 0: ${asset} ${price}`);
    this.prices[asset] = price;
  }

  private withPrices(account: PortfolioEngineAccount): PortfolioEngineAccount {
    return { ...account, prices: { ...account.prices, ...this.prices } };
  }
}

/**
 * A cash-and-carry PM book whose uniMMR is `uniMMR` at BTC 100,000: 10 BTC of collateral against a
 * BTCUSD_PERP short (COIN-M, 5,000 contracts) and a BTCUSDT short (USD-M, 4.9 BTC), 0.1 BTC net
 * long, with a USDT loan that sets the equity. Maintenance is 4,950 USD; the liquidation price is
 * far from the mark at 135% (a hedged book), close at 115%.
 */
export function portfolioAccountAt(uniMMR: number, status?: string): PortfolioEngineAccount {
  const maint = 5000 * 100 * 0.005 + 4.9 * 100_000 * 0.005;
  return {
    collateral: { BTC: 10, USDT: maint * uniMMR - 1_000_000 },
    positions: [
      { segment: "cm", symbol: "BTCUSD_PERP", positionAmt: -5000, entryPrice: 100_000 },
      { segment: "um", symbol: "BTCUSDT", positionAmt: -4.9, entryPrice: 100_000 },
    ],
    prices: { BTC: 100_000 },
    ...(status ? { status } : {}),
  };
}
