/**
 * Alerts as data, and their rendering for SNS: a subject for email, a full email body and an
 * SMS body that fits one message (<= 140 characters).
 */
import type { HealthNotice, MarginNotice } from "./alert-policy.js";
import { formatPercent } from "./decimal.js";
import { DELETED_KEY_HINT, type KeyAlert, keyAlertText } from "./key-alerts.js";

export type { KeyAlert } from "./key-alerts.js";

export interface MarginAlert {
  readonly type: "margin";
  /** Deterministic: the same cycle and change always yields the same id. */
  readonly id: string;
  readonly account: string;
  readonly asset: string;
  readonly notice: MarginNotice;
  readonly level: string;
  readonly previousLevel: string;
  /** maintMargin / marginBalance; null when the margin balance is zero or negative. */
  readonly ratio: number | null;
  readonly maintMargin: string;
  readonly marginBalance: string;
  readonly at: string;
}

export interface HealthAlert {
  readonly type: "health";
  readonly id: string;
  readonly account: string;
  readonly notice: HealthNotice;
  readonly failures: number;
  readonly errorKind?: string;
  /** Secret-free reason from our own error messages. */
  readonly reason?: string;
  readonly at: string;
}

export type Alert = MarginAlert | HealthAlert | KeyAlert;

export interface RenderedAlert {
  readonly subject: string;
  readonly email: string;
  readonly sms: string;
}

export const SMS_MAX = 140;
/** SNS refuses (InvalidParameter, for good) a subject of 100 characters or more. */
export const SUBJECT_MAX = 99;

function ratioText(ratio: number | null): string {
  return ratio === null ? "margin balance <= 0" : formatPercent(ratio, 1);
}

/**
 * Cut to `max` characters with an ASCII "...": a non-GSM character such as "…" would turn an SMS
 * into UCS-2 (70 characters a segment), and subjects are kept to plain ASCII.
 */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

export function renderAlert(alert: Alert): RenderedAlert {
  if (alert.type === "key") {
    const text = keyAlertText(alert);
    return { subject: truncate(text.subject, SUBJECT_MAX), email: text.email, sms: truncate(text.sms, SMS_MAX) };
  }
  if (alert.type === "health") {
    if (alert.notice === "restored") {
      return {
        subject: truncate(`coinm-guard: monitoring restored for ${alert.account}`, SUBJECT_MAX),
        email: `coinm-guard can read account "${alert.account}" again (at ${alert.at}) after ${alert.failures} failed cycle(s). Margin alerts are live again.`,
        sms: truncate(`coinm-guard ${alert.account}: monitoring restored`, SMS_MAX),
      };
    }
    return {
      subject: truncate(`coinm-guard: CANNOT READ account ${alert.account}`, SUBJECT_MAX),
      email: [
        `coinm-guard cannot read account "${alert.account}" and is NOT watching its margin.`,
        `Failed cycles in a row: ${alert.failures}`,
        `Cause (${alert.errorKind ?? "unknown"}): ${alert.reason ?? "unknown"}`,
        `Since: ${alert.at}`,
        "Check your positions on Binance directly until a 'monitoring restored' notice arrives.",
        ...(alert.errorKind === "binance-auth" ? [DELETED_KEY_HINT] : []),
      ].join("\n"),
      sms: truncate(
        `coinm-guard ${alert.account}: CANNOT READ ACCOUNT (${alert.errorKind ?? "error"}). Not monitored. Check Binance.`,
        SMS_MAX,
      ),
    };
  }
  const ratio = ratioText(alert.ratio);
  const level = alert.level.toUpperCase();
  const change =
    alert.notice === "escalated"
      ? `rose to ${level} (was ${alert.previousLevel})`
      : alert.notice === "recovered"
        ? `recovered to ${level} (was ${alert.previousLevel})`
        : `still ${level}`;
  return {
    subject: truncate(`coinm-guard: ${alert.account} ${alert.asset} margin ${ratio} ${change}`, SUBJECT_MAX),
    email: [
      `Account: ${alert.account}`,
      `Asset: ${alert.asset}`,
      `Margin ratio (maintMargin / marginBalance): ${ratio}, ${change}`,
      `maintMargin: ${alert.maintMargin}`,
      `marginBalance: ${alert.marginBalance}`,
      `At: ${alert.at}`,
      "Binance liquidates at a margin ratio of 100%.",
    ].join("\n"),
    sms: truncate(`coinm-guard ${alert.account} ${alert.asset}: margin ${ratio}, ${change}`, SMS_MAX),
  };
}
