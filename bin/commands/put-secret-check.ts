/**
 * put-secret's check of a key on Binance before it is stored: it must read the COIN-M account,
 * and it must not be able to withdraw, transfer or trade. What cannot be checked from this
 * machine (a restricted location, a key IP-restricted to the monitor's address, no network) is
 * stored with a warning and left to the monitor's daily check. `verdictOf` is the pure decision;
 * `checkKeyOnBinance` does the two signed calls with the monitor's own client.
 */
import { BinanceClient } from "../../lib/binance/client.js";
import { WeightGovernor } from "../../lib/binance/common/weight-governor.js";
import { binanceUrl } from "../../lib/binance/hosts.js";
import {
  boxesToUntick,
  dangerVerbs,
  type KeyPermissions,
  permissionLabels,
} from "../../lib/binance/spot/key-permissions.js";
import { DEFAULTS } from "../../lib/config.js";
import {
  BinanceAuthError,
  BinanceError,
  BinanceRestrictedLocationError,
  BinanceSignatureError,
  describeError,
} from "../../lib/core/errors.js";
import { silentLogger } from "../../lib/core/log.js";
import type { ApiCredentials } from "../../lib/keys/credentials.js";
import type { CliDeps } from "../cli-context.js";

/** How long the whole check may take from a person's machine. */
const CHECK_BUDGET_MS = 15_000;

export type CheckOutcome =
  | {
      readonly step: "done";
      readonly permissions: KeyPermissions;
      /** The key reaches a Portfolio Margin account (read on papi after -2015 on dapi). */
      readonly portfolio?: boolean;
    }
  /** The account was read but the permissions were not: why. */
  | { readonly step: "permissions"; readonly error: unknown }
  /** The account could not be read: why. */
  | { readonly step: "account"; readonly error: unknown };

export interface CheckVerdict {
  /** Store the key (true) or refuse it (false). */
  readonly store: boolean;
  /** What to tell the person, one item a line (stderr). */
  readonly lines: readonly string[];
  /** For a refusal: the one-line error put-secret exits with. */
  readonly error?: string;
}

const MONITOR_CHECKS =
  "The monitor checks the key's permissions once a day and sends one alert if it can withdraw, transfer or trade.";

const IP_NOTE = [
  "Warning: the key has no IP restriction, so anyone who gets it can read your balances and positions from anywhere (not move them: it is read-only).",
  '  Restricting it needs a fixed address for the monitor. The Lambda runs outside a VPC and its outgoing IP changes, so a key whitelisted to today\'s address stops working without warning (you would get a "cannot read account" alert). A fixed IP needs the function in a VPC behind a NAT with an Elastic IP (a NAT instance from about $3 a month, a NAT gateway $32 and up): see docs/scaling.md, "What Lambda\'s egress IPs mean".',
  "  Keep this key read-only: Binance deletes keys without IP restriction that are given more than read permission, and the monitor then cannot read the account.",
];

const PORTFOLIO_NOTE = [
  "  Portfolio Margin: Binance answers -2015 for this key on the classic COIN-M and USD-M APIs, as it does for every PM account; that is expected.",
  '  The monitor finds the account on papi.binance.com by itself and judges it by uniMMR (warning at 150%, critical at 120%); the key needs only "Enable Reading".',
];

function cannotCheck(reason: string, step: "account" | "permissions"): CheckVerdict {
  return {
    store: true,
    lines: [
      `Warning: could not check the key from this machine: ${reason}`,
      step === "account"
        ? '  The key is stored unchecked. The monitor reads the account with it (a "cannot read account" alert if that fails) and checks its permissions within a day.'
        : `  The key reads the COIN-M account; it is stored with its permissions unchecked. ${MONITOR_CHECKS}`,
    ],
  };
}

/** Store or refuse, and what to say. `allowTradingKey` stores a dangerous key with a warning. */
export function verdictOf(outcome: CheckOutcome, allowTradingKey: boolean): CheckVerdict {
  if (outcome.step !== "done") {
    const err = outcome.error;
    const { message } = describeError(err);
    if (outcome.step === "account" && err instanceof BinanceSignatureError) {
      return {
        store: false,
        lines: [],
        error:
          "key refused: Binance rejected the signature (-1022): the API secret or private key does not match the API key; nothing was written",
      };
    }
    if (outcome.step === "account" && err instanceof BinanceAuthError && (err.code === -2014 || err.code === -2008)) {
      return {
        store: false,
        lines: [],
        error: `key refused: Binance does not accept this API key (code ${err.code}): check you copied the whole key; nothing was written`,
      };
    }
    if (err instanceof BinanceRestrictedLocationError) {
      return cannotCheck(
        "Binance refuses service from this machine's location (HTTP 451). The monitor calls from the stack's region, which Binance serves if it is outside the US.",
        outcome.step,
      );
    }
    if (err instanceof BinanceAuthError) {
      return cannotCheck(
        `Binance refused the key here (${err.code !== undefined ? `code ${err.code}` : `HTTP ${err.status}`}). That is expected when the key is IP-restricted to the monitor's address; otherwise the key is wrong, deleted, or lacks "Enable Reading". (A Portfolio Margin account was tried too: its key needs "Enable Reading" as well, nothing more.)`,
        outcome.step,
      );
    }
    if (err instanceof BinanceError) return cannotCheck(message, outcome.step);
    throw err;
  }
  const { permissions } = outcome;
  const lines: string[] = [];
  if (permissions.dangerous.length === 0) {
    lines.push(
      `Checked on Binance: the key reads the ${outcome.portfolio ? "Portfolio Margin" : "COIN-M"} account and is read-only${permissions.ipRestricted ? " and IP-restricted" : ""}.`,
    );
    if (outcome.portfolio) lines.push(...PORTFOLIO_NOTE);
    if (!permissions.ipRestricted) lines.push(...IP_NOTE);
    return { store: true, lines };
  }
  const can = dangerVerbs(permissions.dangerous);
  const untick = `On Binance, API Management, edit the key and untick ${boxesToUntick(permissions.dangerous)}.`;
  if (!allowTradingKey) {
    return {
      store: false,
      lines: [
        `Refused: the key can ${can}, not only read: ${permissionLabels(permissions.dangerous)}.`,
        '  Anyone who gets it (a leaked log line, laptop or Lambda environment) could move or trade your funds. coinm-guard only needs "Enable Reading".',
        `  ${untick} Then run put-secret again.`,
        "  To store it anyway, pass --allow-trading-key: you accept that a leak of this key can cost you funds.",
      ],
      error: `key refused: it can ${can}; nothing was written`,
    };
  }
  lines.push(
    `Warning: storing a key that can ${can} (--allow-trading-key): ${permissionLabels(permissions.dangerous)}.`,
    '  A leak of this key can cost you funds. The monitor sends one "unsafe key" alert about it, and one notice once it is read-only.',
    `  ${untick}`,
  );
  if (!permissions.ipRestricted) {
    lines.push(
      "  It has no IP restriction either: Binance deletes such keys, and the monitor then cannot read the account.",
    );
  }
  return { store: true, lines };
}

/** The client put-secret checks with: the monitor's own, on the BINANCE_*_BASE_URL it would use. */
export function checkClient(env: Readonly<Record<string, string | undefined>>): BinanceClient {
  return new BinanceClient({
    baseUrl: binanceUrl(env, "BINANCE_BASE_URL"),
    spotBaseUrl: binanceUrl(env, "BINANCE_SPOT_BASE_URL"),
    // A Portfolio Margin key answers -2015 on dapi: the check recognises it, as the monitor does.
    pmBaseUrl: binanceUrl(env, "BINANCE_PM_BASE_URL"),
    recvWindowMs: DEFAULTS.recvWindowMs,
    governor: new WeightGovernor({ limit: DEFAULTS.weightLimitPerMinute }),
    maxAttempts: 2,
  });
}

/** Read the COIN-M account, then the key's permissions. Never throws a Binance error. */
export async function checkKeyOnBinance(client: BinanceClient, credentials: ApiCredentials): Promise<CheckOutcome> {
  const deadlineMs = Date.now() + CHECK_BUDGET_MS;
  let portfolio = false;
  try {
    const read = await client.getAccount(credentials, deadlineMs, silentLogger);
    portfolio = "portfolio" in read && read.portfolio !== undefined;
  } catch (error) {
    if (!(error instanceof BinanceError)) throw error;
    return { step: "account", error };
  }
  try {
    const permissions = await client.getKeyPermissions(credentials, deadlineMs, silentLogger);
    return { step: "done", permissions, ...(portfolio ? { portfolio } : {}) };
  } catch (error) {
    if (!(error instanceof BinanceError)) throw error;
    return { step: "permissions", error };
  }
}

/**
 * put-secret's hook: check the key, tell the person what was found (stderr), and throw when the
 * key must not be stored.
 */
export async function checkBeforeStoring(
  credentials: ApiCredentials,
  allowTradingKey: boolean,
  deps: Pick<CliDeps, "env" | "stderr">,
): Promise<void> {
  const verdict = verdictOf(await checkKeyOnBinance(checkClient(deps.env), credentials), allowTradingKey);
  for (const line of verdict.lines) deps.stderr.write(`${line}\n`);
  if (!verdict.store) throw new Error(verdict.error ?? "key refused; nothing was written");
}
