/**
 * Which margin a key's account runs on, found without configuration. Once Portfolio Margin is on,
 * Binance answers -2015 on the classic endpoints (/dapi, /fapi) for a key that is valid
 * (Binance.Net #1485, hummingbot #7210, ccxt #20905). So a -2015 from the classic read is a
 * question, not an answer: the PM account endpoint is asked, and only if it refuses too is the
 * key treated as refused (today's cannot-read alert with today's hints).
 *
 * What was found is remembered in the account's state (`MarginMemory`), so a PM account is read
 * on papi directly from then on. It is looked at again when a PM read is refused (PM turned off:
 * the classic read is tried) and once a day (the classic read is tried first again, one call).
 * A configured `"margin"` skips all of this.
 */
import { BinanceAuthError, BinanceRequestError } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";

export type MarginMode = "classic" | "portfolio";
export const MARGIN_MODES: readonly MarginMode[] = ["classic", "portfolio"];

/** What the monitor found out about an account's margin, and when it last asked the classic API. */
export interface MarginMemory {
  readonly mode: MarginMode;
  /** ISO time of the read that found it. */
  readonly checkedAt: string;
}

/** A remembered PM mode older than this is looked at again (classic read first). */
export const MARGIN_RECHECK_MS = 24 * 3_600_000;

export interface MarginHint {
  /** The account's `"margin"` setting: read that, never probe. */
  readonly configured?: MarginMode;
  readonly remembered?: MarginMemory;
  readonly now: number;
}

export interface MarginReaders<R> {
  readonly classic: () => Promise<R>;
  readonly portfolio: () => Promise<R>;
}

/** -2015 "Invalid API-key, IP, or permissions for action": what classic endpoints answer a PM key. */
export function isClassicRefusal(err: unknown): boolean {
  return err instanceof BinanceAuthError && (err.code === -2015 || err.code === undefined);
}

/** papi refusing the key or the account (not PM, no permission): the account is not PM for this key. */
function isPortfolioRefusal(err: unknown): boolean {
  return err instanceof BinanceAuthError || err instanceof BinanceRequestError;
}

function parseMs(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : 0;
}

/**
 * Read the account with the right product. Returns the read and, when it changed or was just
 * confirmed, the memory to store (undefined: nothing new to remember).
 */
export async function readByMargin<R>(
  readers: MarginReaders<R>,
  hint: MarginHint,
  log: Logger,
): Promise<{ readonly read: R; readonly margin?: MarginMemory }> {
  if (hint.configured) return { read: await readers[hint.configured]() };
  const at = new Date(hint.now).toISOString();
  const remembered = hint.remembered;
  const knownPortfolio = remembered?.mode === "portfolio";
  const fresh = knownPortfolio && hint.now - parseMs(remembered.checkedAt) < MARGIN_RECHECK_MS;

  if (fresh) {
    try {
      return { read: await readers.portfolio() };
    } catch (err) {
      if (!isPortfolioRefusal(err)) throw err;
      log.warn("portfolio margin read refused; looking at the classic account again", {
        kind: (err as BinanceAuthError).kind,
        code: (err as BinanceAuthError).code,
      });
      try {
        return { read: await readers.classic(), margin: { mode: "classic", checkedAt: at } };
      } catch (classicErr) {
        // Refused on both: the key itself is the problem, and the PM refusal says so.
        if (isClassicRefusal(classicErr)) throw err;
        throw classicErr;
      }
    }
  }

  try {
    const read = await readers.classic();
    return knownPortfolio ? { read, margin: { mode: "classic", checkedAt: at } } : { read };
  } catch (err) {
    if (!isClassicRefusal(err)) throw err;
    try {
      const read = await readers.portfolio();
      if (!knownPortfolio) log.info("portfolio margin account recognised; reading it on papi from now on");
      return { read, margin: { mode: "portfolio", checkedAt: at } };
    } catch (probeErr) {
      // A known PM account whose papi is briefly unwell is not a refused key: say what failed.
      if (knownPortfolio && !isPortfolioRefusal(probeErr)) throw probeErr;
      log.info("not a portfolio margin account either; the key is refused", {
        probeKind: probeErr instanceof Error && "kind" in probeErr ? (probeErr as BinanceAuthError).kind : "unknown",
      });
      throw err;
    }
  }
}

/** A stored memory, checked (state is read back from DynamoDB as JSON). */
export function parseMarginMemory(value: unknown): MarginMemory | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { mode, checkedAt } = value as Record<string, unknown>;
  if (!MARGIN_MODES.includes(mode as MarginMode) || typeof checkedAt !== "string") return undefined;
  return { mode: mode as MarginMode, checkedAt };
}
