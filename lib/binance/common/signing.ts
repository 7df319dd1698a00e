/**
 * Request signing for Binance USER_DATA endpoints. The payload is the exact query string that is
 * sent; HMAC keys sign it as lowercase hex, RSA (PKCS#1 v1.5, SHA-256) and Ed25519 keys as base64,
 * which must then be URL-encoded because it is appended to the query string.
 */
import { createHmac, createPrivateKey, type KeyObject, sign } from "node:crypto";
import { SecretError } from "../../core/errors.js";

export type KeyType = "hmac" | "rsa" | "ed25519";

/** What a signer produces: the value to put after `signature=` (already URL-safe). */
export interface Signer {
  readonly keyType: KeyType;
  sign(payload: string): string;
}

export function hmacSigner(apiSecret: string): Signer {
  return {
    keyType: "hmac",
    sign: (payload) => createHmac("sha256", apiSecret).update(payload).digest("hex"),
  };
}

/** Load a PKCS#8 (or PKCS#1 RSA) PEM and sign with the algorithm its key type implies. */
export function privateKeySigner(pem: string): Signer {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    // Deliberately no cause: OpenSSL errors can quote parts of the key material.
    throw new SecretError("privateKey is not a readable PEM private key");
  }
  if (key.asymmetricKeyType === "ed25519") {
    return {
      keyType: "ed25519",
      sign: (payload) => encodeURIComponent(sign(null, Buffer.from(payload), key).toString("base64")),
    };
  }
  if (key.asymmetricKeyType === "rsa") {
    return {
      keyType: "rsa",
      sign: (payload) => encodeURIComponent(sign("sha256", Buffer.from(payload), key).toString("base64")),
    };
  }
  throw new SecretError(
    `privateKey is a ${key.asymmetricKeyType ?? "unknown"} key; Binance accepts HMAC, RSA or Ed25519 keys`,
  );
}
