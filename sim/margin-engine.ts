/**
 * A margin engine for Binance COIN-M inverse contracts, so the loopback exchange can answer
 * `GET /dapi/v1/account` and `GET /dapi/v1/positionRisk` from one state (wallets, positions, mark
 * prices, maintenance brackets) the way Binance would, and scenario tests move prices, not fields.
 *
 * Formulas (../shared/spec/coinm-margin-model.md), per position with contract size c (USD):
 *   size S = |positionAmt| × c (USD); notional (coin) = S / mark
 *   unrealized PnL (coin) = side × S × (1/entry − 1/mark), side +1 long, −1 short
 *   maintenance margin (coin) = S / mark × m − cum, from the symbol's bracket (m, cum)
 *   initial margin (coin) = notional / leverage
 * Pools: the cross pool of an asset is its cross wallet plus its cross positions; each isolated
 * position is a pool of its own wallet and itself. Liquidation happens when a pool's collateral
 * (wallet + PnL) falls to its requirement (Σ maintenance margin).
 *
 * Pure functions over an immutable `EngineAccount`; `MarginEngine` only keeps accounts per API key
 * and exchange-wide marks for the loopback exchange. Arithmetic is in doubles (about 15 significant
 * digits, far beyond the 8 decimals rendered); each per-position figure is rounded to 1e-8 coin
 * once and asset totals are summed from those rounded figures in integers, so the rendered body is
 * self-consistent to the last digit (marginBalance = walletBalance + unrealizedProfit exactly).
 */

export type PositionSide = "BOTH" | "LONG" | "SHORT";
export type MarginType = "cross" | "isolated";

export interface EnginePosition {
  readonly symbol: string;
  /** BOTH in one-way mode; LONG / SHORT rows in hedge mode. */
  readonly positionSide: PositionSide;
  /** Contracts, signed as Binance shows them: negative for a short (one-way BOTH rows and hedge SHORT rows). */
  readonly positionAmt: number;
  readonly entryPrice: number;
  readonly leverage: number;
  readonly marginType: MarginType;
  /** Coin in the position's isolated wallet; isolated positions only. @default 0 */
  readonly isolatedWallet?: string | number;
}

/** One maintenance bracket: maintenance margin = notional × maintMarginRatio − cum. */
export interface MaintenanceBracket {
  readonly maintMarginRatio: number;
  readonly cum: number;
}

export interface EngineAccount {
  /** Cross wallet balance per margin asset, in coin, e.g. `{ BTC: "5" }`. Isolated wallets are not in it. */
  readonly crossWallets: Readonly<Record<string, string | number>>;
  readonly positions: readonly EnginePosition[];
  /** Mark price per symbol; every position's symbol needs one. */
  readonly marks: Readonly<Record<string, number>>;
  /** Hedge mode lists BOTH, LONG and SHORT rows per touched symbol; one-way mode BOTH only. @default false */
  readonly hedgeMode?: boolean;
  /** Per symbol; @default DEFAULT_BRACKET */
  readonly brackets?: Readonly<Record<string, MaintenanceBracket>>;
  /** USD per contract, per symbol; @default contractSizeOf(symbol) */
  readonly contractSizes?: Readonly<Record<string, number>>;
  /** `updateTime` of non-zero rows and assets. @default 1_700_000_000_000 */
  readonly updateTime?: number;
}

/** The bracket Binance applies to the smallest BTCUSD notional tier. */
export const DEFAULT_BRACKET: MaintenanceBracket = { maintMarginRatio: 0.005, cum: 0 };

/** Thrown for a state Binance could not be in (e.g. a symbol both cross and isolated). */
export class MarginEngineInputError extends Error {
  override readonly name = "MarginEngineInputError";
}

const SYMBOL = /^([A-Z0-9]+?)USD_(PERP|\d{6})$/;

/** The margin asset of a COIN-M symbol: the part before "USD" (BTCUSD_PERP, BTCUSD_261225 -> BTC). */
export function marginAssetOf(symbol: string): string {
  const m = SYMBOL.exec(symbol);
  if (!m?.[1]) throw new MarginEngineInputError(`not a COIN-M symbol: ${symbol}`);
  return m[1];
}

/** The pair of a symbol, as the `pair` parameter of positionRisk names it (BTCUSD_PERP -> BTCUSD). */
export function pairOf(symbol: string): string {
  return `${marginAssetOf(symbol)}USD`;
}

/** USD per contract: 100 for BTCUSD contracts, 10 for the others (exchangeInfo `contractSize`). */
export function contractSizeOf(symbol: string): number {
  return marginAssetOf(symbol) === "BTC" ? 100 : 10;
}

// ---- fixed-point rendering: 1 unit = 1e-8 coin --------------------------------------------------

const SCALE = 100_000_000n;

/** A coin amount (decimal string or number) in units of 1e-8, rounded half away from zero. */
export function toUnits(value: string | number): bigint {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new MarginEngineInputError(`not a finite amount: ${value}`);
    return BigInt(Math.sign(value) * Math.round(Math.abs(value) * 1e8));
  }
  const m = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(value.trim());
  if (!m) throw new MarginEngineInputError(`not a decimal amount: ${value}`);
  const frac = (m[3] ?? "").padEnd(9, "0");
  let units = BigInt((m[2] ?? "0") + frac.slice(0, 8));
  if (Number(frac[8]) >= 5) units += 1n;
  return m[1] === "-" ? -units : units;
}

/** Units of 1e-8 as Binance renders coin amounts: "-0.09090909". */
export function formatUnits(units: bigint): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  return `${neg ? "-" : ""}${abs / SCALE}.${(abs % SCALE).toString().padStart(8, "0")}`;
}

/** A price with 8 decimals, as positionRisk renders mark and liquidation prices. */
export function formatPrice(price: number): string {
  return price.toFixed(8);
}

// ---- per-position and per-pool figures ---------------------------------------------------------

export interface PositionFigures {
  readonly position: EnginePosition;
  readonly asset: string;
  /** +1 long, −1 short, 0 flat. */
  readonly side: number;
  readonly mark: number;
  /** |amt| × contract size, USD. */
  readonly sizeUsd: number;
  /** Coin, unsigned. */
  readonly notional: number;
  readonly unrealizedPnl: number;
  readonly maintMargin: number;
  readonly initialMargin: number;
  readonly bracket: MaintenanceBracket;
}

function bracketOf(account: EngineAccount, symbol: string): MaintenanceBracket {
  return account.brackets?.[symbol] ?? DEFAULT_BRACKET;
}

function markOf(account: EngineAccount, symbol: string): number {
  const mark = account.marks[symbol];
  if (mark === undefined || !(mark > 0)) throw new MarginEngineInputError(`no positive mark price for ${symbol}`);
  return mark;
}

/** A position's figures at its symbol's mark (or at `mark` if given). */
export function positionFigures(account: EngineAccount, position: EnginePosition, mark?: number): PositionFigures {
  const p = mark ?? markOf(account, position.symbol);
  const side = Math.sign(position.positionAmt);
  const sizeUsd =
    Math.abs(position.positionAmt) * (account.contractSizes?.[position.symbol] ?? contractSizeOf(position.symbol));
  const bracket = bracketOf(account, position.symbol);
  const notional = sizeUsd / p;
  const flat = side === 0;
  return {
    position,
    asset: marginAssetOf(position.symbol),
    side,
    mark: p,
    sizeUsd,
    notional,
    unrealizedPnl: flat ? 0 : side * sizeUsd * (1 / position.entryPrice - 1 / p),
    maintMargin: flat ? 0 : notional * bracket.maintMarginRatio - bracket.cum,
    initialMargin: flat ? 0 : notional / position.leverage,
    bracket,
  };
}

export interface PoolFigures {
  /** "BTC cross" or e.g. "BTCUSD_PERP LONG isolated". */
  readonly id: string;
  readonly kind: MarginType;
  readonly asset: string;
  /** Isolated pools only. */
  readonly position?: EnginePosition;
  /** The non-zero positions in the pool. */
  readonly positions: readonly EnginePosition[];
  /** Cross wallet or isolated wallet, coin. */
  readonly wallet: number;
  /** wallet + Σ unrealized PnL, coin. */
  readonly collateral: number;
  /** Σ maintenance margin, coin. */
  readonly requirement: number;
  /** requirement / collateral: 0 without a requirement, +Infinity when collateral ≤ 0 with one. */
  readonly ratio: number;
}

function amount(value: string | number | undefined): number {
  return value === undefined ? 0 : Number(toUnits(value)) / 1e8;
}

function isolatedPoolId(p: EnginePosition): string {
  return `${p.symbol} ${p.positionSide} isolated`;
}

/** The pool a position belongs to: its asset's cross pool, or its own isolated pool. */
export function poolIdOf(position: EnginePosition): string {
  return position.marginType === "isolated" ? isolatedPoolId(position) : `${marginAssetOf(position.symbol)} cross`;
}

function ratioOf(requirement: number, collateral: number): number {
  if (requirement <= 0) return 0;
  return collateral <= 0 ? Number.POSITIVE_INFINITY : requirement / collateral;
}

/**
 * Every margin pool of the account: one cross pool per asset that has a cross wallet or a cross
 * position, and one pool per non-zero isolated position. Figures are unrounded doubles.
 */
export function poolsOf(account: EngineAccount): PoolFigures[] {
  const open = account.positions.filter((p) => p.positionAmt !== 0);
  const assets = new Set([
    ...Object.keys(account.crossWallets),
    ...open.filter((p) => p.marginType === "cross").map((p) => marginAssetOf(p.symbol)),
  ]);
  const pool = (
    id: string,
    kind: MarginType,
    asset: string,
    wallet: number,
    members: EnginePosition[],
  ): PoolFigures => {
    const figures = members.map((p) => positionFigures(account, p));
    const collateral = wallet + figures.reduce((s, f) => s + f.unrealizedPnl, 0);
    const requirement = figures.reduce((s, f) => s + f.maintMargin, 0);
    return {
      id,
      kind,
      asset,
      ...(kind === "isolated" && members[0] ? { position: members[0] } : {}),
      positions: members,
      wallet,
      collateral,
      requirement,
      ratio: ratioOf(requirement, collateral),
    };
  };
  return [
    ...[...assets].map((asset) =>
      pool(
        `${asset} cross`,
        "cross",
        asset,
        amount(account.crossWallets[asset]),
        open.filter((p) => p.marginType === "cross" && marginAssetOf(p.symbol) === asset),
      ),
    ),
    ...open
      .filter((p) => p.marginType === "isolated")
      .map((p) => pool(isolatedPoolId(p), "isolated", marginAssetOf(p.symbol), amount(p.isolatedWallet), [p])),
  ];
}

/** The pool with this id ("BTC cross", "BTCUSD_PERP LONG isolated"). */
export function poolOf(account: EngineAccount, id: string): PoolFigures {
  const found = poolsOf(account).find((p) => p.id === id);
  if (!found) throw new MarginEngineInputError(`no pool ${id}`);
  return found;
}

/**
 * The mark price of `position`'s symbol at which its pool's collateral equals its requirement,
 * holding every other symbol of the pool at its current mark (Binance's reference price). Both
 * hedge-mode sides of a symbol in one cross pool move with the same mark, so they share a price.
 *
 * Solved in closed form: with the symbol's mark p as the only variable, collateral − requirement
 * = K − A/p, where K = wallet + Σ_other symbols (PnL − maint) + Σ_this symbol (side·S/entry + cum)
 * and A = Σ_this symbol S·(side + m). The root p = A/K exists when A and K have the same sign.
 * Returns 0 ("none", as Binance renders it) for a flat row, a short the collateral covers at any
 * price (A < 0 ≤ K), and a pool already short of collateral at every price (A > 0 ≥ K; its ratio
 * is then ≥ 100% already).
 */
export function liquidationPriceOf(account: EngineAccount, position: EnginePosition): number {
  if (position.positionAmt === 0) return 0;
  const id = poolIdOf(position);
  const pool = poolOf(account, id);
  let k = pool.wallet;
  let a = 0;
  for (const member of pool.positions) {
    const f = positionFigures(account, member);
    if (member.symbol === position.symbol) {
      k += (f.side * f.sizeUsd) / member.entryPrice + f.bracket.cum;
      a += f.sizeUsd * (f.side + f.bracket.maintMarginRatio);
    } else {
      k += f.unrealizedPnl - f.maintMargin;
    }
  }
  if (a === 0 || k === 0 || Math.sign(a) !== Math.sign(k)) return 0;
  return a / k;
}

/** |mark − liquidationPrice| / mark; undefined when there is no liquidation price. */
export function distanceToLiquidation(account: EngineAccount, position: EnginePosition): number | undefined {
  const liq = liquidationPriceOf(account, position);
  if (liq === 0) return undefined;
  const mark = markOf(account, position.symbol);
  return Math.abs(mark - liq) / mark;
}

// ---- state changes (pure) ----------------------------------------------------------------------

/** The account with `symbol` marked at `price`. */
export function withMark(account: EngineAccount, symbol: string, price: number): EngineAccount {
  return withMarks(account, { [symbol]: price });
}

/** The account with these marks replaced. */
export function withMarks(account: EngineAccount, marks: Readonly<Record<string, number>>): EngineAccount {
  return { ...account, marks: { ...account.marks, ...marks } };
}

/** Throws MarginEngineInputError for a state Binance could not be in. */
export function validateEngineAccount(account: EngineAccount): void {
  const typeBySymbol = new Map<string, MarginType>();
  const rows = new Set<string>();
  for (const p of account.positions) {
    const where = `${p.symbol} ${p.positionSide}`;
    marginAssetOf(p.symbol);
    if (rows.has(where)) throw new MarginEngineInputError(`${where} is listed twice`);
    rows.add(where);
    if (!Number.isInteger(p.positionAmt))
      throw new MarginEngineInputError(`${where}: positionAmt must be whole contracts`);
    if (p.positionAmt !== 0 && !(p.entryPrice > 0))
      throw new MarginEngineInputError(`${where}: entryPrice must be > 0`);
    if (!(p.leverage >= 1)) throw new MarginEngineInputError(`${where}: leverage must be ≥ 1`);
    if (account.hedgeMode && p.positionSide === "BOTH" && p.positionAmt !== 0) {
      throw new MarginEngineInputError(`${where}: hedge mode holds positions in LONG and SHORT rows`);
    }
    if (!account.hedgeMode && p.positionSide !== "BOTH") {
      throw new MarginEngineInputError(`${where}: one-way mode has BOTH rows only`);
    }
    if ((p.positionSide === "LONG" && p.positionAmt < 0) || (p.positionSide === "SHORT" && p.positionAmt > 0)) {
      throw new MarginEngineInputError(`${where}: amount sign contradicts the side`);
    }
    if (p.marginType === "cross" && p.isolatedWallet !== undefined && amount(p.isolatedWallet) !== 0) {
      throw new MarginEngineInputError(`${where}: a cross position has no isolated wallet`);
    }
    // Binance sets the margin type per symbol; both hedge sides share it.
    const seen = typeBySymbol.get(p.symbol);
    if (seen && seen !== p.marginType) {
      throw new MarginEngineInputError(`${p.symbol} is both cross and isolated; Binance sets it per symbol`);
    }
    typeBySymbol.set(p.symbol, p.marginType);
    if (p.positionAmt !== 0) markOf(account, p.symbol);
  }
  for (const [asset, wallet] of Object.entries(account.crossWallets)) {
    if (!/^[A-Z0-9]{1,20}$/.test(asset)) throw new MarginEngineInputError(`bad asset name ${asset}`);
    toUnits(wallet);
  }
}

// ---- Binance responses -------------------------------------------------------------------------

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

// ---- the engine the loopback exchange holds ----------------------------------------------------

/** What the loopback exchange asks for the state behind a key's call; undefined: not an engine account. */
export interface EngineSource {
  account(apiKey: string, callIndex: number): EngineAccount | undefined;
}

/**
 * Accounts per API key plus exchange-wide marks: `setMark` moves a symbol for every account, as a
 * market move does. Accounts are validated when set.
 */
export class MarginEngine implements EngineSource {
  private readonly accounts = new Map<string, EngineAccount>();
  private readonly marks: Record<string, number> = {};

  constructor(accounts: Iterable<readonly [string, EngineAccount]> = []) {
    for (const [apiKey, account] of accounts) this.set(apiKey, account);
  }

  set(apiKey: string, account: EngineAccount): void {
    validateEngineAccount(withMarks(account, this.marks));
    this.accounts.set(apiKey, account);
  }

  /** The key's account with the exchange-wide marks applied. */
  get(apiKey: string): EngineAccount | undefined {
    const account = this.accounts.get(apiKey);
    return account && withMarks(account, this.marks);
  }

  account(apiKey: string): EngineAccount | undefined {
    return this.get(apiKey);
  }

  setMark(symbol: string, price: number): void {
    if (!(price > 0)) throw new MarginEngineInputError(`mark price must be > 0: ${symbol} ${price}`);
    marginAssetOf(symbol);
    this.marks[symbol] = price;
  }
}

// ---- scenario builders -------------------------------------------------------------------------

/** A position with defaults: one-way BOTH, cross, 20x, marked at entry unless the account says otherwise. */
export interface PositionSpec {
  readonly symbol: string;
  readonly positionAmt: number;
  readonly entryPrice: number;
  readonly positionSide?: PositionSide;
  readonly leverage?: number;
  readonly marginType?: MarginType;
  readonly isolatedWallet?: string | number;
}

/**
 * A generic builder: positions with defaults, marks defaulting to each symbol's first entry price,
 * validated. Hedge mode is assumed when any position names LONG or SHORT.
 */
export function buildEngineAccount(spec: {
  readonly crossWallets: Readonly<Record<string, string | number>>;
  readonly positions?: readonly PositionSpec[];
  readonly marks?: Readonly<Record<string, number>>;
  readonly hedgeMode?: boolean;
  readonly brackets?: Readonly<Record<string, MaintenanceBracket>>;
  readonly updateTime?: number;
}): EngineAccount {
  const positions: EnginePosition[] = (spec.positions ?? []).map((p) => ({
    symbol: p.symbol,
    positionSide: p.positionSide ?? "BOTH",
    positionAmt: p.positionAmt,
    entryPrice: p.entryPrice,
    leverage: p.leverage ?? 20,
    marginType: p.marginType ?? (p.isolatedWallet !== undefined ? "isolated" : "cross"),
    ...(p.isolatedWallet !== undefined ? { isolatedWallet: p.isolatedWallet } : {}),
  }));
  const marks: Record<string, number> = {};
  for (const p of positions) if (marks[p.symbol] === undefined && p.entryPrice > 0) marks[p.symbol] = p.entryPrice;
  const account: EngineAccount = {
    crossWallets: spec.crossWallets,
    positions,
    marks: { ...marks, ...spec.marks },
    hedgeMode: spec.hedgeMode ?? positions.some((p) => p.positionSide !== "BOTH"),
    ...(spec.brackets ? { brackets: spec.brackets } : {}),
    ...(spec.updateTime !== undefined ? { updateTime: spec.updateTime } : {}),
  };
  validateEngineAccount(account);
  return account;
}

/** The current BTC quarterly in the worked examples (delivery 25 Dec 2026). */
export const BTC_QUARTERLY = "BTCUSD_261225";

/**
 * The spec's hedge split, in hedge mode: a cross SHORT of 600 BTCUSD_PERP @ 60,000 on a 0.096 BTC
 * cross wallet, and an isolated LONG of 600 @ 60,000 with a 0.5 BTC isolated wallet, both marked at
 * `mark`. Binance sets the margin type per symbol, so the isolated long is on the quarterly; the
 * numbers are those of the spec (same contract size, same mark). At 66,000 the cross pool is at
 * 89.3% and the short is liquidated near 66,040.
 */
export function hedgeSplitExample(mark = 66_000): EngineAccount {
  return buildEngineAccount({
    crossWallets: { BTC: "0.096" },
    hedgeMode: true,
    positions: [
      { symbol: "BTCUSD_PERP", positionSide: "SHORT", positionAmt: -600, entryPrice: 60_000 },
      {
        symbol: BTC_QUARTERLY,
        positionSide: "LONG",
        positionAmt: 600,
        entryPrice: 60_000,
        marginType: "isolated",
        isolatedWallet: "0.5",
      },
    ],
    marks: { BTCUSD_PERP: mark, [BTC_QUARTERLY]: mark },
  });
}

/**
 * The spec's isolated position near liquidation, one-way mode: a 5 BTC cross wallet and an
 * isolated BTCUSD_PERP LONG of 3,000 @ 60,000 with 0.2924 BTC in its wallet. At 57,000 the
 * isolated pool is at 90% and its liquidation price is near 56,968.
 */
export function isolatedNearLiquidationExample(mark = 57_000): EngineAccount {
  return buildEngineAccount({
    crossWallets: { BTC: "5" },
    positions: [{ symbol: "BTCUSD_PERP", positionAmt: 3000, entryPrice: 60_000, isolatedWallet: "0.2924" }],
    marks: { BTCUSD_PERP: mark },
  });
}
