import { generateKeyPairSync, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hmacSigner, privateKeySigner } from "../../lib/binance/common/signing.js";
import { SecretError } from "../../lib/core/errors.js";

describe("hmacSigner", () => {
  it("reproduces Binance's published HMAC SHA256 example", () => {
    // Prepare: the example from Binance's "SIGNED Endpoint Examples" documentation.
    const secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
    const query =
      "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
    // Act / Assess
    expect(hmacSigner(secret).sign(query)).toBe("c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
  });
});

describe("privateKeySigner", () => {
  const payload = "recvWindow=5000&timestamp=1700000000000";

  it.each(["rsa", "ed25519"] as const)("signs %s over the exact payload as URL-encoded base64", (type) => {
    const pair = type === "rsa" ? generateKeyPairSync("rsa", { modulusLength: 2048 }) : generateKeyPairSync("ed25519");
    const pem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const signer = privateKeySigner(pem);
    const signature = signer.sign(payload);

    expect(signer.keyType).toBe(type);
    expect(signature).toMatch(/^[A-Za-z0-9%\-_.~]+$/); // no raw "+", "/" or "=" left in the query
    const raw = Buffer.from(decodeURIComponent(signature), "base64");
    expect(verify(type === "rsa" ? "sha256" : null, Buffer.from(payload), pair.publicKey, raw)).toBe(true);
    expect(verify(type === "rsa" ? "sha256" : null, Buffer.from(`${payload}0`), pair.publicKey, raw)).toBe(false);
  });

  it("rejects unreadable PEM text without quoting it", () => {
    const bogus = "-----BEGIN PRIVATE KEY-----\nTOPSECRETMATERIAL\n-----END PRIVATE KEY-----";
    let err: unknown;
    try {
      privateKeySigner(bogus);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SecretError);
    expect(String((err as Error).message)).not.toContain("TOPSECRETMATERIAL");
  });

  it("rejects key types Binance does not accept", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" });
    expect(() => privateKeySigner(ec.toString())).toThrow(/ec key; Binance accepts HMAC, RSA or Ed25519/);
  });
});
