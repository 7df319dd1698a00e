/**
 * put-secret checks the key on the loopback exchange (which verifies signatures and serves
 * GET /sapi/v1/account/apiRestrictions per key) before writing it to the loopback Secrets Manager:
 * read-only keys are stored, each permission beyond reading is refused with its box to untick
 * (unless --allow-trading-key), and what cannot be checked from here is stored with a warning.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPutSecretCommand } from "../../bin/commands/put-secret.js";
import { DANGEROUS_PERMISSIONS } from "../../lib/binance/spot/key-permissions.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { PortfolioEngine, portfolioAccountAt } from "../../sim/engine/portfolio/engine.js";
import { LoopbackExchange } from "../../sim/exchange/exchange.js";
import { API_RESTRICTIONS_PATH } from "../../sim/exchange/spot/key-permissions.js";
import { hmacKey } from "../support/harness.js";
import { CliWorld, pipedStdin, run } from "./support/harness.js";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:coinm-guard/main-AbCdEf";
const world = new CliWorld();
const key = hmacKey("main");
const { apiKey, apiSecret } = JSON.parse(key.secretValue) as { apiKey: string; apiSecret: string };
/** Not registered on the exchange: Binance answers -2015, as for a key IP-restricted elsewhere. */
const unknownKey = hmacKey("unknown");
let exchange: LoopbackExchange;
let env: Record<string, string>;

beforeAll(async () => {
  exchange = new LoopbackExchange({ keys: [key.exchangeKey], account: () => accountBody([btcAtRatio(0.2)]) });
  const url = await exchange.start();
  env = { BINANCE_BASE_URL: url, BINANCE_SPOT_BASE_URL: url, BINANCE_PM_BASE_URL: url };
  await world.start();
  world.knownSecrets.add(ARN);
  world.stack({ SnapshotTableName: "t", AccountSecrets: { main: ARN } });
});

afterAll(async () => {
  await Promise.all([world.stop(), exchange.stop()]);
});

beforeEach(() => {
  exchange.clearFaults();
  exchange.requests.length = 0;
  exchange.keyPermissions.set(apiKey, { ipRestrict: true, enabled: [], legacyBody: false });
  world.secretWrites.length = 0;
});

async function putSecret(argv: readonly string[], secretValue = key.secretValue) {
  const deps = world.deps({ stdin: pipedStdin(secretValue), env });
  return run(createPutSecretCommand(deps), ["--account", "main", ...argv], deps);
}

function expectNoKeyMaterial(...texts: string[]) {
  for (const text of texts) {
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(apiSecret);
    expect(text).not.toContain("signature=");
  }
}

describe("put-secret checks the key on Binance", () => {
  it("stores a read-only, IP-restricted key after reading the account and its permissions", async () => {
    const r = await putSecret([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("Checked on Binance: the key reads the COIN-M account and is read-only and IP-restricted.\n");
    expect(r.stdout).toMatch(/^Stored the HMAC key for account "main"/);
    expect(world.secretWrites).toHaveLength(1);
    expect(exchange.requests.map((q) => `${q.path} ${q.status}`)).toEqual([
      "/dapi/v1/account 200",
      "/dapi/v1/positionRisk 200",
      `${API_RESTRICTIONS_PATH} 200`,
    ]);
  });

  it("stores a read-only key without IP restriction, with a warning about the Lambda's changing IP", async () => {
    exchange.keyPermissions.set(apiKey, { ipRestrict: false });
    const r = await putSecret([]);
    expect(r.code).toBe(0);
    expect(world.secretWrites).toHaveLength(1);
    expect(r.stderr).toContain("Checked on Binance: the key reads the COIN-M account and is read-only.\n");
    expect(r.stderr).toContain("Warning: the key has no IP restriction");
    expect(r.stderr).toContain("its outgoing IP changes");
    expect(r.stderr).toContain("behind a NAT with an Elastic IP");
    expect(r.stderr).toContain("docs/scaling.md");
  });

  it("reads keys whose response has no portfolio-margin or FIX fields (older keys)", async () => {
    exchange.keyPermissions.set(apiKey, { legacyBody: true });
    const r = await putSecret([]);
    expect(r.code).toBe(0);
    expect(world.secretWrites).toHaveLength(1);
  });

  it.each(DANGEROUS_PERMISSIONS.map((p) => [p.flag, p.box] as const))(
    "refuses a key with %s, naming the box %s to untick, and writes nothing",
    async (flag, box) => {
      exchange.keyPermissions.set(apiKey, { enabled: [flag] });
      const r = await putSecret([]);
      expect(r.code).toBe(1);
      expect(world.secretWrites).toHaveLength(0);
      expect(r.stderr).toContain(`untick "${box}".`);
      expect(r.stderr).toMatch(/Refused: the key can (withdraw|transfer|trade), not only read: /);
      expect(r.stderr).toContain("--allow-trading-key");
      expect(r.stderr.trimEnd().split("\n").at(-1)).toMatch(
        /^coinm-guard put-secret: key refused: it can (withdraw|transfer|trade); nothing was written$/,
      );
      expectNoKeyMaterial(r.stdout, r.stderr);
    },
  );

  it("names every box when several permissions are on", async () => {
    exchange.keyPermissions.set(apiKey, {
      enabled: ["enableWithdrawals", "enableFutures", "permitsUniversalTransfer"],
    });
    const r = await putSecret(["--check"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "Refused: the key can withdraw, transfer and trade, not only read: withdrawals, universal transfer, futures trading.",
    );
    expect(r.stderr).toContain('untick "Enable Withdrawals", "Permits Universal Transfer", "Enable Futures".');
    expect(r.stderr).toContain("key refused: it can withdraw, transfer and trade; nothing was written");
  });

  it("stores a trading key with --allow-trading-key, stating the risk", async () => {
    exchange.keyPermissions.set(apiKey, { ipRestrict: false, enabled: ["enableFutures"] });
    const r = await putSecret(["--allow-trading-key"]);
    expect(r.code).toBe(0);
    expect(world.secretWrites).toHaveLength(1);
    expect(r.stderr).toContain("Warning: storing a key that can trade (--allow-trading-key): futures trading.");
    expect(r.stderr).toContain("A leak of this key can cost you funds.");
    expect(r.stderr).toContain('untick "Enable Futures".');
    expect(r.stderr).toContain("It has no IP restriction either");
  });

  it("stores the key with a warning when Binance refuses service from this location (451)", async () => {
    exchange.injectFault({ kind: "status", status: 451, body: "" }, { path: "/dapi/v1/account" });
    const r = await putSecret([]);
    expect(r.code).toBe(0);
    expect(world.secretWrites).toHaveLength(1);
    expect(r.stderr).toContain(
      "Warning: could not check the key from this machine: Binance refuses service from this machine's location (HTTP 451).",
    );
    expect(r.stderr).toContain("The key is stored unchecked.");
    expect(exchange.requests.map((q) => q.path)).toEqual(["/dapi/v1/account"]);
  });

  it("stores the key with a warning on -2015 (IP-restricted to the monitor's address)", async () => {
    const r = await putSecret([], unknownKey.secretValue);
    expect(r.code).toBe(0);
    expect(world.secretWrites).toHaveLength(1);
    expect(r.stderr).toContain(
      "Binance refused the key here (code -2015). That is expected when the key is IP-restricted to the monitor's address",
    );
  });

  it("stores the key with a warning when the permission endpoint fails after the account was read", async () => {
    exchange.injectFault({ kind: "status", status: 503, body: "<html>down</html>" }, { path: API_RESTRICTIONS_PATH });
    const r = await putSecret([]);
    expect(r.code).toBe(0);
    expect(world.secretWrites).toHaveLength(1);
    expect(r.stderr).toContain("Warning: could not check the key from this machine: Binance returned HTTP 503");
    expect(r.stderr).toContain("The key reads the COIN-M account; it is stored with its permissions unchecked.");
  });

  it("refuses a key whose secret does not match (-1022)", async () => {
    // Another last digit: the secret is random hex, so appending a fixed "0" matched it 1 time in 16.
    const last = apiSecret.endsWith("0") ? "1" : "0";
    const wrong = JSON.stringify({ apiKey, apiSecret: `${apiSecret.slice(0, -1)}${last}` });
    const r = await putSecret([], wrong);
    expect(r.code).toBe(1);
    expect(world.secretWrites).toHaveLength(0);
    expect(r.stderr).toContain(
      "key refused: Binance rejected the signature (-1022): the API secret or private key does not match the API key; nothing was written",
    );
    expectNoKeyMaterial(r.stdout, r.stderr);
  });

  it("does not call Binance with --no-check", async () => {
    exchange.keyPermissions.set(apiKey, { enabled: ["enableWithdrawals"] });
    const r = await putSecret(["--no-check"]);
    expect(r.code).toBe(0);
    expect(world.secretWrites).toHaveLength(1);
    expect(exchange.requests).toHaveLength(0);
    expect(r.stderr).toBe("");
  });

  it("checks with --check and still writes nothing", async () => {
    const r = await putSecret(["--check"]);
    expect(r.code).toBe(0);
    expect(world.secretWrites).toHaveLength(0);
    expect(r.stderr).toContain("Checked on Binance");
    expect(r.stderr).toContain("nothing was written (--check)");
  });
});

describe("put-secret and a Portfolio Margin key", () => {
  it("stores it, saying Binance's -2015 on the classic APIs is expected and what the key needs", async () => {
    const pmKey = hmacKey("pm");
    const pmApiKey = (pmKey.exchangeKey as { apiKey: string }).apiKey;
    const pmExchange = new LoopbackExchange({
      keys: [pmKey.exchangeKey],
      account: () => accountBody([btcAtRatio(0.2)]),
      portfolio: new PortfolioEngine([[pmApiKey, portfolioAccountAt(2)]]),
    });
    const url = await pmExchange.start();
    try {
      pmExchange.keyPermissions.set(pmApiKey, { ipRestrict: true, enabled: [], legacyBody: false });
      const pmEnv = { BINANCE_BASE_URL: url, BINANCE_SPOT_BASE_URL: url, BINANCE_PM_BASE_URL: url };
      const deps = world.deps({ stdin: pipedStdin(pmKey.secretValue), env: pmEnv });
      const r = await run(createPutSecretCommand(deps), ["--account", "main"], deps);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(
        "Checked on Binance: the key reads the Portfolio Margin account and is read-only and IP-restricted.",
      );
      expect(r.stderr).toContain("Binance answers -2015 for this key on the classic COIN-M and USD-M APIs");
      expect(r.stderr).toContain('the key needs only "Enable Reading"');
      expect(world.secretWrites).toHaveLength(1);
      // dapi refused it (-2015), papi read it.
      expect(pmExchange.requests.map((q) => `${q.path} ${q.status}`)).toContain("/dapi/v1/account 401");
      expect(pmExchange.requests.map((q) => `${q.path} ${q.status}`)).toContain("/papi/v1/account 200");
    } finally {
      await pmExchange.stop();
    }
  });
});
