/**
 * The COIN-M account model the loopback engine holds: cross wallets per margin asset, positions
 * (one-way BOTH rows or hedge LONG / SHORT rows, cross or isolated), mark prices and brackets; the
 * checks that refuse a state Binance could not be in; and the pure state changes and builder the
 * scenarios use. Immutable: a state change returns a new account.
 */
import { amount, MarginEngineInputError, toUnits } from "../units.js";
import { DEFAULT_BRACKET, type MaintenanceBracket, marginAssetOf } from "./contract.js";

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

export function bracketOf(account: EngineAccount, symbol: string): MaintenanceBracket {
  return account.brackets?.[symbol] ?? DEFAULT_BRACKET;
}

/** The symbol's mark; throws when it has none, since a missing price is never zero. */
export function markOf(account: EngineAccount, symbol: string): number {
  const mark = account.marks[symbol];
  if (mark === undefined || !(mark > 0)) throw new MarginEngineInputError(`no positive mark price for ${symbol}`);
  return mark;
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

// ---- builder -----------------------------------------------------------------------------------

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
