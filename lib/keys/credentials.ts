/**
 * API credentials parsed from a secret's JSON value. The object hides its key material from
 * JSON.stringify and util.inspect, so an accidental `log(credentials)` prints nothing secret.
 */
import { inspect } from "node:util";
import { hmacSigner, privateKeySigner, type Signer } from "../binance/common/signing.js";
import { SecretError } from "../core/errors.js";

export interface ApiCredentials {
  readonly apiKey: string;
  readonly signer: Signer;
}

const REDACTED = "[redacted credentials]";

function hidden(apiKey: string, signer: Signer): ApiCredentials {
  const creds = { signer } as { signer: Signer; apiKey: string };
  Object.defineProperty(creds, "apiKey", { value: apiKey, enumerable: false });
  Object.defineProperty(creds, "toJSON", { value: () => REDACTED, enumerable: false });
  Object.defineProperty(creds, inspect.custom, { value: () => REDACTED, enumerable: false });
  Object.defineProperty(signer, "toJSON", { value: () => `[${signer.keyType} signer]`, enumerable: false });
  return creds;
}

/** What a Binance API key looks like (put-secret checks a typed key with it before asking for the secret). */
export const API_KEY = /^[A-Za-z0-9]{16,128}$/;

/**
 * Parse `{"apiKey": "...", "apiSecret": "..."}` (HMAC) or `{"apiKey": "...", "privateKey": "PEM"}`
 * (RSA or Ed25519, read from the PEM). Errors name the problem, never the value.
 */
export function parseCredentials(secretText: string, label = "secret"): ApiCredentials {
  let raw: unknown;
  try {
    raw = JSON.parse(secretText);
  } catch {
    // No cause on purpose: JSON.parse messages quote the input, which is the secret.
    throw new SecretError(
      `${label} is not JSON; expected {"apiKey": "...", "apiSecret": "..."} or {"apiKey": "...", "privateKey": "-----BEGIN PRIVATE KEY-----..."}`,
    );
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new SecretError(`${label} must be a JSON object with apiKey and apiSecret or privateKey`);
  }
  const { apiKey, apiSecret, privateKey } = raw as Record<string, unknown>;
  if (typeof apiKey !== "string" || apiKey.trim() === "") {
    throw new SecretError(`${label} has no "apiKey" string`);
  }
  if (!API_KEY.test(apiKey.trim())) {
    throw new SecretError(`${label} "apiKey" is not a Binance API key (16-128 letters and digits)`);
  }
  const hasSecret = typeof apiSecret === "string" && apiSecret.trim() !== "";
  const hasPem = typeof privateKey === "string" && privateKey.trim() !== "";
  if (hasSecret === hasPem) {
    throw new SecretError(`${label} must have exactly one of "apiSecret" (HMAC) or "privateKey" (RSA/Ed25519 PEM)`);
  }
  const signer = hasSecret
    ? hmacSigner((apiSecret as string).trim())
    : privateKeySigner((privateKey as string).replace(/\\n/g, "\n").trim());
  return hidden(apiKey.trim(), signer);
}
