/**
 * The cycle's USD-M step, kept apart from the COIN-M path: read the account's USD-M book when the
 * stored look state says it is due (usdm-look.ts), assess its pools by the account's levels, and
 * turn any failure into an observation for the USD-M cannot-read record. It never throws, so
 * nothing here can fail the COIN-M read, its snapshot or its alerts.
 */
import type { AccountConfig, MonitorConfig } from "../config.js";
import { readsUsdm } from "../config.js";
import {
  BinanceAuthError,
  BinanceError,
  BinanceSignatureError,
  describeError,
  errorLogFields,
  GuardError,
  WeightBudgetExceededError,
} from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { assessPools } from "../risk/pools.js";
import type { OpenPosition } from "../risk/positions.js";
import { poolRiskLevels } from "./account-evaluation.js";
import type { AlertStateStore, SecretSource, UsdmSource } from "./ports.js";
import type { UsdmObservation } from "./usdm-evaluation.js";
import { usdmModeCheckDue, usdmReadDue } from "./usdm-look.js";

export interface UsdmStepDeps {
  readonly secrets: SecretSource;
  readonly state: AlertStateStore;
  /** Absent: no USD-M reads (tools and tests of other parts). */
  readonly usdm?: UsdmSource | undefined;
}

export interface UsdmStep {
  readonly observation: UsdmObservation | undefined;
  /** The book's open positions (raw strings), for the snapshot. */
  readonly positions: readonly OpenPosition[];
  readonly usedWeight?: number;
}

const NOTHING: UsdmStep = { observation: undefined, positions: [] };

/**
 * Whether a COIN-M failure leaves the USD-M read worth trying: a Binance error on dapi alone
 * (an outage, a full minute, a bad body) says nothing about fapi, but a key Binance refuses or a
 * secret that cannot be read is the same news for both books, and COIN-M's alert carries it.
 */
export function usdmWorthReading(coinmError: unknown): boolean {
  if (coinmError === undefined || coinmError instanceof WeightBudgetExceededError) return true;
  if (coinmError instanceof BinanceAuthError || coinmError instanceof BinanceSignatureError) return false;
  return coinmError instanceof BinanceError && !coinmError.needsHuman;
}

export async function readUsdmIfDue(
  config: MonitorConfig,
  deps: UsdmStepDeps,
  account: AccountConfig,
  cycleTime: Date,
  deadlineMs: number,
  log: Logger,
  coinmError: unknown,
): Promise<UsdmStep> {
  if (!deps.usdm || !readsUsdm(config, account) || !usdmWorthReading(coinmError)) return NOTHING;
  const nowMs = cycleTime.getTime();
  let look: Awaited<ReturnType<AlertStateStore["loadState"]>>["usdm"];
  try {
    // Cached per container (state-cache.ts): the cycle loads this state anyway before its write.
    look = (await deps.state.loadState(account.name)).usdm;
  } catch (err) {
    // Without the state, read: an extra look is harmless, a skipped one is not.
    log.warn("could not load the USD-M look state; reading USD-M", errorLogFields(err));
  }
  if (!usdmReadDue(look, nowMs)) return NOTHING;
  try {
    const credentials = await deps.secrets.getCredentials(account.secretId);
    const read = await deps.usdm.getUsdmAccount(credentials, deadlineMs, log, {
      expectHoldings: look?.holds === true,
      checkMode: usdmModeCheckDue(look, nowMs),
      multiAssets: look?.multiAssets,
    });
    const pools = read.pools.flatMap((p) => assessPools([p], poolRiskLevels(config, account, p.id, p.asset)));
    for (const p of pools) {
      log.info("margin pool", {
        pool: p.id,
        product: "usdm",
        ratio: Number.isFinite(p.ratio) ? p.ratio : null,
        distance: p.distance,
        alertLevel: p.level,
        usedWeight: read.usedWeight,
      });
    }
    if (read.empty) log.info("USD-M book empty; next look in a day");
    return {
      observation: {
        ok: true,
        pools,
        empty: read.empty,
        multiAssets: read.multiAssets,
        modeChecked: read.modeChecked,
      },
      positions: read.positions,
      ...(read.usedWeight !== undefined ? { usedWeight: read.usedWeight } : {}),
    };
  } catch (err) {
    // A full fapi minute counts like any failed read, as a deferred COIN-M read does: a book the
    // budget never reaches must end in "cannot read USD-M", never in silence.
    const { kind, message } = describeError(err);
    log.error("cannot read USD-M book", { kind, error: message, product: "usdm" });
    return {
      observation: { ok: false, kind, message, needsHuman: err instanceof GuardError ? err.needsHuman : false },
      positions: [],
    };
  }
}
