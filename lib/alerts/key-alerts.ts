/**
 * The "unsafe key" alert and its "fixed" notice as data, and their words. `alerts.ts` fits them
 * to SNS's limits (subject and SMS length) like every other alert.
 */
import { boxesToUntick, type DangerousFlag, dangerVerbs, permissionLabels } from "../binance/spot/key-permissions.js";
import type { KeyNotice } from "../keys/policy.js";

export interface KeyAlert {
  readonly type: "key";
  /** Deterministic: the same cycle and change always yields the same id. */
  readonly id: string;
  readonly account: string;
  readonly notice: KeyNotice;
  /** Every permission beyond reading the key has now (empty for "fixed"). */
  readonly permissions: readonly DangerousFlag[];
  /** For "unsafe": the permissions no earlier alert named. */
  readonly gained: readonly DangerousFlag[];
  readonly ipRestricted: boolean;
  readonly at: string;
}

/**
 * Added to a "cannot read account" alert when Binance refuses the key: a key it deleted looks
 * exactly like that (-2015), and unrestricted keys with more than read permission get deleted.
 */
export const DELETED_KEY_HINT =
  'If nobody deleted or changed this key: Binance deletes API keys that have no IP restriction and more than read permission. Create a new key with only "Enable Reading" and store it with `coinm-guard put-secret`.';

/** Subject, email and SMS text, not yet cut to SNS's limits. */
export function keyAlertText(alert: KeyAlert): { subject: string; email: string; sms: string } {
  if (alert.notice === "fixed") {
    return {
      subject: `coinm-guard: API key for ${alert.account} is read-only again`,
      email: `The API key coinm-guard uses for account "${alert.account}" is read-only again (checked at ${alert.at}): it can no longer withdraw, transfer or trade.`,
      sms: `coinm-guard ${alert.account}: API key is read-only again`,
    };
  }
  const can = dangerVerbs(alert.permissions);
  return {
    subject: `coinm-guard: UNSAFE API KEY for ${alert.account}: it can ${can}`,
    email: [
      `The API key coinm-guard uses for account "${alert.account}" can do more than read: ${permissionLabels(alert.permissions)}.`,
      'Anyone who gets this key (a leaked log line, laptop or Lambda environment) can move or trade your funds. The monitor only needs "Enable Reading".',
      `Fix: on Binance, API Management, edit this key and untick ${boxesToUntick(alert.permissions)}. Or delete the key and store a new read-only one with \`coinm-guard put-secret --account ${alert.account}\`.`,
      ...(alert.ipRestricted
        ? []
        : [
            "The key has no IP restriction: Binance deletes unrestricted keys with more than read permission, and this account is then not monitored until a new key is stored.",
          ]),
      `Checked at: ${alert.at}. coinm-guard checks the key once a day and sends one notice when it is read-only again.`,
    ].join("\n"),
    sms: `coinm-guard ${alert.account}: UNSAFE API KEY, can ${can}. On Binance untick all but Enable Reading.`,
  };
}
