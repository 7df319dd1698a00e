/**
 * Binance's signed-request checks for the loopback exchange: the API key, the signature over the
 * exact query string before "&signature=" (HMAC hex, RSA and Ed25519 base64), and the timestamp
 * within recvWindow of the exchange's own clock. Shared by every product's signed endpoints.
 */
import { createHmac, createPublicKey, type KeyObject, timingSafeEqual, verify } from "node:crypto";

export type ExchangeKey =
  | { readonly type: "hmac"; readonly apiKey: string; readonly apiSecret: string }
  | { readonly type: "rsa" | "ed25519"; readonly apiKey: string; readonly publicKeyPem: string };

type Verifier = (payload: string, signature: string) => boolean;

/** A rejection as Binance words it. */
export interface Rejection {
  readonly status: number;
  readonly body: { readonly code: number; readonly msg: string };
}

export const INVALID_KEY: Rejection = {
  status: 401,
  body: { code: -2015, msg: "Invalid API-key, IP, or permissions for action." },
};

function verifierOf(key: ExchangeKey): Verifier {
  if (key.type === "hmac") {
    return (payload, signature) => {
      const expected = Buffer.from(createHmac("sha256", key.apiSecret).update(payload).digest("hex"));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected);
    };
  }
  const pub: KeyObject = createPublicKey(key.publicKeyPem);
  return (payload, signature) => {
    const sig = Buffer.from(signature, "base64");
    return verify(key.type === "rsa" ? "sha256" : null, Buffer.from(payload), pub, sig);
  };
}

/** A request whose key, signature and timestamp passed. */
export interface SignedRequest {
  readonly apiKey: string;
  /** The signed query, `signature` excluded. */
  readonly params: URLSearchParams;
}

/** The keys the exchange knows, and the check of one signed request against them. */
export class SignatureChecker {
  private readonly verifiers = new Map<string, Verifier>();

  add(key: ExchangeKey): void {
    this.verifiers.set(key.apiKey, verifierOf(key));
  }

  /**
   * The signed parameters of a request with this raw query (`rawQuery` is the part after "?"),
   * or the rejection Binance would answer.
   */
  check(apiKey: string | undefined, rawQuery: string, now: number): SignedRequest | Rejection {
    const sigAt = rawQuery.lastIndexOf("&signature=");
    const verifier = apiKey === undefined ? undefined : this.verifiers.get(apiKey);
    if (apiKey === undefined || !verifier) return INVALID_KEY;
    if (sigAt < 0) return { status: 400, body: { code: -1102, msg: "Mandatory parameter 'signature' was not sent." } };
    const payload = rawQuery.slice(0, sigAt);
    const signature = decodeURIComponent(rawQuery.slice(sigAt + "&signature=".length));
    const params = new URLSearchParams(payload);
    const timestamp = Number(params.get("timestamp"));
    const recvWindow = Number(params.get("recvWindow") ?? 5000);
    if (!Number.isFinite(timestamp)) {
      return { status: 400, body: { code: -1102, msg: "Mandatory parameter 'timestamp' was not sent." } };
    }
    // Binance: reject if timestamp is more than 1 s ahead of server time or older than recvWindow.
    if (timestamp > now + 1000 || now - timestamp > recvWindow) {
      return { status: 400, body: { code: -1021, msg: "Timestamp for this request is outside of the recvWindow." } };
    }
    let valid = false;
    try {
      valid = verifier(payload, signature);
    } catch {
      valid = false;
    }
    if (!valid) return { status: 400, body: { code: -1022, msg: "Signature for this request is not valid." } };
    return { apiKey, params };
  }
}
