/**
 * Who gets alerts: emails, phone numbers, chat channels and the severity each medium receives.
 * Chat channels are checked by the relay's own parser (lib/chat/channels.ts).
 */
import { isSeverity, SEVERITIES, type Severity } from "../../lib/alerts/attributes.js";
import { type ChatChannel, parseChatChannels } from "../../lib/chat/channels.js";
import { ConfigError } from "../../lib/core/errors.js";
import { checkSecretArn, checkSecretName } from "../validators.js";
import { isObject, type Obj, type Reader } from "./reader.js";
import type { DeployChatChannel } from "./types.js";

const NO_RECIPIENT =
  'no one would receive an alert: add an email address to "emails", an E.164 number to "phoneNumbers" ' +
  'or a channel to "chat" (docs/deploy.md, "Who gets alerts")';

/** Counted as written, so a mistyped address is reported as that, not also as "no one". */
export function checkSomeoneReceives(r: Reader, raw: Obj): void {
  const listed = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  if (listed(raw.emails) + listed(raw.phoneNumbers) + listed(raw.chat) === 0) {
    r.problem("emails, phoneNumbers, chat", NO_RECIPIENT);
  }
}

export function readSeverity(r: Reader, key: string, fallback: Severity): Severity {
  const text = r.string(key);
  if (text === undefined) return fallback;
  if (isSeverity(text)) return text;
  r.problem(key, `must be one of ${SEVERITIES.join(", ")}, got "${text}"`);
  return fallback;
}

const CHAT_SECRET_KEYS = ["secretName", "secretArn"] as const;

export function readChatChannels(
  r: Reader,
  raw: unknown,
  target: { region: string; account: string | undefined },
): DeployChatChannel[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    r.problem(
      "chat",
      'must be a JSON array of channels such as [{"name": "ops", "platform": "slack", "secretName": "..."}]',
    );
    return [];
  }
  const out: DeployChatChannel[] = [];
  raw.forEach((entry: unknown, i) => {
    const at = `chat[${i}]`;
    if (!isObject(entry)) {
      r.problem(at, "must be an object");
      return;
    }
    const { secretName, secretArn, ...rest } = entry;
    let secret: DeployChatChannel["secret"] | undefined;
    if ((secretName === undefined) === (secretArn === undefined)) {
      r.problem(
        at,
        'give exactly one of "secretName" or "secretArn": the Secrets Manager secret with the bot token or webhook URL ' +
          "(never the token itself: cdk.json and the template are not secret)",
      );
    } else if (secretName !== undefined) {
      const problem = typeof secretName === "string" ? checkSecretName(secretName.trim()) : "must be a string";
      r.problem(`${at}.secretName`, problem);
      if (!problem) secret = { kind: "name", secretName: (secretName as string).trim() };
    } else {
      const problem =
        typeof secretArn === "string"
          ? checkSecretArn(secretArn.trim(), target.region, target.account)
          : "must be a string";
      r.problem(`${at}.secretArn`, problem);
      if (!problem) secret = { kind: "arn", secretArn: (secretArn as string).trim() };
    }
    if ("secretId" in rest) {
      r.problem(`${at}.secretId`, `unknown setting: use ${CHAT_SECRET_KEYS.join(" or ")}`);
      return;
    }
    // The relay's own parser: what synth accepts, the Lambda accepts.
    let channel: ChatChannel | undefined;
    try {
      [channel] = parseChatChannels(JSON.stringify([{ ...rest, secretId: "synth-check" }]), "chat");
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      r.problems.push(err.message.replace(/^chat\[0\]/, at));
    }
    if (channel && secret) {
      const { secretId: _placeholder, ...fields } = channel;
      if (out.some((c) => c.channel.name === fields.name)) r.problem(`${at}.name`, `"${fields.name}" is used twice`);
      else out.push({ channel: fields, secret });
    }
  });
  return out;
}
