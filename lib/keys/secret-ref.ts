/**
 * Where an account's key lives: a whole secret (`coinm-guard/main`, or its ARN), or one entry of a
 * secret that holds several accounts' keys as a JSON object (`coinm-guard/keys#main` reads
 * `{"main": {"apiKey": ..., "apiSecret": ...}, "alt": {...}}["main"]`). Secrets Manager names and
 * ARNs cannot contain "#", so the selector is unambiguous. The Lambda, the synth-time config check
 * and the stack's IAM policy all split a reference here, so they agree on what it means.
 *
 * Trade-off (docs/security.md, docs/performance.md): one secret costs $0.40 a month however many
 * keys it holds, but whoever can read it reads every key in it, and a secret value is at most
 * 65,536 bytes (about 400 HMAC keys, fewer RSA ones).
 */

import { SecretError } from "../core/errors.js";
import { type ApiCredentials, parseCredentials } from "./credentials.js";

export interface SecretRef {
  /** What GetSecretValue is called with: a secret name or ARN. */
  readonly secretId: string;
  /** The entry of the secret's JSON object holding this account's key, if the secret is shared. */
  readonly jsonKey?: string;
}

/** A JSON key selector: the characters an account name may use. */
const JSON_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Secrets Manager's limit on a secret value (SecretString), in bytes. */
export const SECRET_VALUE_LIMIT_BYTES = 65_536;

/** Split `id` or `id#key`; returns a problem text for a malformed reference instead of throwing. */
export function parseSecretRef(text: string): SecretRef | { problem: string } {
  const hash = text.indexOf("#");
  if (hash < 0) return { secretId: text };
  const secretId = text.slice(0, hash);
  const jsonKey = text.slice(hash + 1);
  if (secretId === "") return { problem: `"${text}" has a key selector but no secret before the "#"` };
  if (!JSON_KEY.test(jsonKey)) {
    return { problem: `"${text}": the key after "#" must be 1-64 letters, digits, "_", "." or "-", and only one "#"` };
  }
  return { secretId, jsonKey };
}

export function formatSecretRef(ref: SecretRef): string {
  return ref.jsonKey === undefined ? ref.secretId : `${ref.secretId}#${ref.jsonKey}`;
}

/** The credentials a secret value holds for `ref`: the whole value, or its `jsonKey` entry. */
export function credentialsFromSecret(secretText: string, ref: SecretRef): ApiCredentials {
  const label = `secret "${formatSecretRef(ref)}"`;
  if (ref.jsonKey === undefined) return parseCredentials(secretText, label);
  let raw: unknown;
  try {
    raw = JSON.parse(secretText);
  } catch {
    // No cause: JSON.parse messages quote the input, which holds keys.
    throw new SecretError(
      `secret "${ref.secretId}" is not JSON; a shared secret is {"<account>": {"apiKey": ...}, ...}`,
    );
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new SecretError(`secret "${ref.secretId}" must be a JSON object of accounts' keys`);
  }
  const entry = (raw as Record<string, unknown>)[ref.jsonKey];
  if (entry === undefined || !Object.hasOwn(raw, ref.jsonKey)) {
    // Names the missing entry, never the ones present (they are other users' account names).
    throw new SecretError(`secret "${ref.secretId}" has no entry "${ref.jsonKey}"`);
  }
  return parseCredentials(JSON.stringify(entry), label);
}
