/**
 * The narrow interfaces the monitoring use-case depends on; one adapter per outside system
 * implements each, and tests hand in their own.
 */

import type { Alert } from "../alerts/messages.js";
import type { HealthState, PoolAlertState } from "../alerts/policy.js";
import type { PortfolioAccount } from "../binance/portfolio/account.js";
import type { MarginHint, MarginMemory } from "../binance/portfolio/recognise.js";
import type { UsdmRead, UsdmReadOptions } from "../binance/usdm/reader.js";
import type { Logger } from "../core/log.js";
import type { ApiCredentials } from "../keys/credentials.js";
import type { KeyCheckState } from "../keys/policy.js";
import type { AssetBalance } from "../risk/balances.js";
import type { MarginPool } from "../risk/pools.js";
import type { OpenPosition } from "../risk/positions.js";
import type { Snapshot } from "./snapshot.js";
import type { UsdmLookState } from "./usdm-look.js";

export interface SecretSource {
  /** Credentials for a secret; `refresh` bypasses the warm-container cache. */
  getCredentials(secretId: string, options?: { refresh?: boolean }): Promise<ApiCredentials>;
}

/**
 * One read of an account, whatever the products behind it: its margin pools (what the cycle
 * judges), its open positions and the balances behind the pools, raw for the snapshot.
 */
export interface AccountRead {
  readonly pools: readonly MarginPool[];
  readonly positions: readonly OpenPosition[];
  /** COIN-M's per-asset balances (kept raw in the snapshot); none for a Portfolio Margin account. */
  readonly account: { readonly assets: readonly AssetBalance[] };
  /** A Portfolio Margin account's own figures (GET /papi/v1/account), raw for the snapshot. */
  readonly portfolio?: PortfolioAccount;
  /** What this read found out about the account's margin, to remember (absent: nothing new). */
  readonly margin?: MarginMemory;
  readonly usedWeight?: number;
  readonly attempts: number;
}

export interface AccountSource {
  /** `margin`: what the account's config and state say of its margin (classic or Portfolio Margin). */
  getAccount(credentials: ApiCredentials, deadlineMs: number, log: Logger, margin?: MarginHint): Promise<AccountRead>;
}

/** The account's USD-M book, read beside COIN-M (lib/binance/usdm/reader.ts). */
export interface UsdmSource {
  getUsdmAccount(
    credentials: ApiCredentials,
    deadlineMs: number,
    log: Logger,
    options: UsdmReadOptions,
  ): Promise<UsdmRead>;
}

/**
 * An alert waiting to be published. While an invocation publishes it, `notBefore` (wall-clock
 * ms) is that invocation's hold, and no other invocation takes it before then.
 */
export interface PendingAlert {
  readonly alert: Alert;
  readonly notBefore: number;
  readonly attempts: number;
}

export interface AccountState {
  /** Optimistic-lock version; every write increments it. 0 = never written. */
  readonly version: number;
  readonly lastCycleAt?: string;
  /** Alert state per margin pool id (a cross pool's id is its asset, as before pools existed). */
  readonly pools: Readonly<Record<string, PoolAlertState>>;
  readonly health: HealthState;
  readonly outbox: Readonly<Record<string, PendingAlert>>;
  /** The daily key permission check (absent until the first check). */
  readonly keyCheck?: KeyCheckState;
  /** When the USD-M book is read and its own cannot-read record (absent until the first look). */
  readonly usdm?: UsdmLookState;
  /** Whether the account was found to be Portfolio Margin, and when (lib/binance/portfolio/recognise.ts). */
  readonly margin?: MarginMemory;
}

export interface SnapshotStore {
  /** Write once per account and takenAt; "duplicate" when that snapshot already exists. */
  putSnapshot(snapshot: Snapshot): Promise<"created" | "duplicate">;
}

export interface AlertStateStore {
  loadState(account: string): Promise<AccountState>;
  /** What this container last read or wrote for the account, without any I/O; absent: nothing held. */
  cached?(account: string): AccountState | undefined;
  /** Replace the state if its stored version is still `expectedVersion`; else StateConflictError. */
  saveState(account: string, state: AccountState, expectedVersion: number): Promise<void>;
  /** Drop published alerts from the outbox. */
  ackAlerts(account: string, alertIds: readonly string[]): Promise<void>;
  /**
   * Hand back alerts this invocation claimed but could not publish, so any invocation may take
   * them at once. Entries that are no longer exactly as `held` (taken over since) are left alone.
   */
  releaseAlerts(account: string, held: readonly PendingAlert[]): Promise<void>;
}

export interface AlertPublisher {
  publish(alert: Alert): Promise<void>;
}
