/**
 * `put-secret` against a loopback Secrets Manager that records PutSecretValue: stdin in its three
 * forms, the hidden TTY prompt, validation with the monitor's parser, the secret ARN from the
 * stack's AccountSecrets output, and that the key never appears in any output or error.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPutSecretCommand } from "../../bin/commands/put-secret.js";
import { CaptureStream, CliWorld, FakeTtyStdin, pipedStdin, run } from "./support/harness.js";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:coinm-guard/main-AbCdEf";
const world = new CliWorld();

const apiKey = `K${randomBytes(31).toString("hex")}`;
const apiSecret = `S${randomBytes(31).toString("hex")}`;
const ed = generateKeyPairSync("ed25519");
const pem = ed.privateKey.export({ type: "pkcs8", format: "pem" }).toString();

beforeAll(async () => {
  await world.start();
  world.knownSecrets.add(ARN);
  world.knownSecrets.add("coinm-guard/other");
  world.stack({
    SnapshotTableName: "t",
    AccountSecrets: { main: ARN, spare: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:spare" },
  });
});

afterAll(async () => {
  await world.stop();
});

/** Input handling only: the check on Binance is put-secret-check.test.ts's subject. */
async function putSecret(argv: readonly string[], stdin = pipedStdin("")) {
  world.secretWrites.length = 0;
  const deps = world.deps({ stdin });
  return run(createPutSecretCommand(deps), [...argv, "--no-check"], deps);
}

/** The secret half (the API key itself is shown at the prompt, by design). */
function expectNoSecretMaterial(...texts: string[]) {
  for (const text of texts) {
    expect(text).not.toContain(apiSecret);
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).not.toContain(pem.split("\n")[1] ?? "-");
  }
}

function expectNoKeyMaterial(...texts: string[]) {
  for (const text of texts) {
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(apiSecret);
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).not.toContain(pem.split("\n")[1] ?? "-");
  }
}

describe("put-secret from stdin", () => {
  it("stores the JSON secret value in the account's secret from the stack", async () => {
    const r = await putSecret(["--account", "main"], pipedStdin(JSON.stringify({ apiKey, apiSecret })));
    expect(r.code).toBe(0);
    expect(world.secretWrites).toHaveLength(1);
    expect(world.secretWrites[0]?.secretId).toBe(ARN);
    expect(JSON.parse(world.secretWrites[0]?.value ?? "")).toEqual({ apiKey, apiSecret });
    expect(r.stdout).toMatch(
      new RegExp(`^Stored the HMAC key for account "main" in ${ARN} \\(version [0-9a-f-]{36}\\)\\.\\n$`),
    );
    expectNoKeyMaterial(r.stdout, r.stderr);
  });

  it("accepts the key and secret as two lines", async () => {
    const r = await putSecret(["--account", "main"], pipedStdin(`${apiKey}\n${apiSecret}\n`));
    expect(r.code).toBe(0);
    expect(JSON.parse(world.secretWrites[0]?.value ?? "")).toEqual({ apiKey, apiSecret });
  });

  it("accepts the key and an Ed25519 PEM, to --secret-id", async () => {
    const r = await putSecret(
      ["--account", "anything", "--secret-id", "coinm-guard/other"],
      pipedStdin(`${apiKey}\n${pem}`),
    );
    expect(r.code).toBe(0);
    expect(world.secretWrites[0]?.secretId).toBe("coinm-guard/other");
    expect(JSON.parse(world.secretWrites[0]?.value ?? "")).toEqual({ apiKey, privateKey: pem });
    expect(r.stdout).toContain("Stored the Ed25519 key");
    expectNoKeyMaterial(r.stdout, r.stderr);
  });

  it("only validates with --check", async () => {
    const r = await putSecret(["--account", "main", "--check"], pipedStdin(`${apiKey}\n${apiSecret}\n`));
    expect(r.code).toBe(0);
    expect(world.secretWrites).toHaveLength(0);
    expect(r.stderr).toContain('The HMAC key for account "main" is well-formed; nothing was written (--check).');
  });

  it.each([
    ["no secret", `${apiKey}\n`, "expected the API key on the first line"],
    ["broken JSON", `{"apiKey": "${apiKey}", "apiSecret": "${apiSecret}"`, 'starts with "{" but is not valid JSON'],
    ["both secret and PEM", JSON.stringify({ apiKey, apiSecret, privateKey: pem }), "exactly one of"],
    ["a key that is not a Binance key", `${apiKey}-${apiSecret}\n${apiSecret}\n`, "is not a Binance API key"],
    [
      "an unreadable PEM",
      `${apiKey}\n-----BEGIN PRIVATE KEY-----\n${apiSecret}\n-----END PRIVATE KEY-----\n`,
      "not a readable PEM private key",
    ],
  ])("rejects %s without writing or quoting it", async (_, input, reason) => {
    const r = await putSecret(["--account", "main"], pipedStdin(input));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("invalid key:");
    expect(r.stderr).toContain(reason);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(world.secretWrites).toHaveLength(0);
    expectNoKeyMaterial(r.stdout, r.stderr);
  });

  it("says what to do when stdin is empty", async () => {
    const r = await putSecret(["--account", "main"], pipedStdin(""));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nothing on stdin");
  });
});

describe("put-secret safety and errors", () => {
  it("never takes the key from argv, and never echoes a stray argument", async () => {
    for (const argv of [
      ["--account", "main", apiSecret],
      ["--account", "main", `--api-secret=${apiSecret}`],
      [`--secret=${apiSecret}`],
    ]) {
      const r = await putSecret(argv, pipedStdin(`${apiKey}\n${apiSecret}\n`));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("never takes the key on the command line");
      expectNoKeyMaterial(r.stdout, r.stderr);
      expect(world.secretWrites).toHaveLength(0);
    }
    const missing = await putSecret([], pipedStdin(""));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--account is required");
  });

  it("names the accounts the stack knows when the account is not among them", async () => {
    const r = await putSecret(["--account", "nobody"], pipedStdin(`${apiKey}\n${apiSecret}\n`));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `account "nobody" is not in stack "CoinmGuard"'s AccountSecrets (accounts: main, spare); pass --secret-id`,
    );
    expect(world.secretWrites).toHaveLength(0);
  });

  it("refuses an entry of a shared secret: writing the whole value would wipe the other accounts' keys", async () => {
    const r = await putSecret(
      ["--account", "alpha", "--secret-id", "coinm-guard/keys#alpha"],
      pipedStdin(`${apiKey}\n${apiSecret}\n`),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/entry "alpha" of the shared secret "coinm-guard\/keys"; put-secret writes whole secrets/);
    expect(world.secretWrites).toEqual([]);
    expectNoKeyMaterial(r.stderr);
  });

  it("reports a missing secret in one line", async () => {
    const r = await putSecret(
      ["--account", "main", "--secret-id", "no/such/secret"],
      pipedStdin(`${apiKey}\n${apiSecret}\n`),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'coinm-guard put-secret: secret "no/such/secret" does not exist (check --secret-id / --region)\n',
    );
    expectNoKeyMaterial(r.stderr);
  });
});

describe("put-secret at a terminal", () => {
  const tick = () => new Promise((r) => setTimeout(r, 5));

  it("prompts on stderr, shows the API key as typed but not the secret, and restores the terminal", async () => {
    const tty = new FakeTtyStdin();
    const stderr = new CaptureStream();
    world.secretWrites.length = 0;
    const deps = world.deps({ stdin: tty, stderr });
    const pending = run(createPutSecretCommand(deps), ["--account", "main", "--no-check"], deps);
    await tick();
    expect(tty.rawMode).toBe(true);
    for (const ch of `${apiKey}x\u007f`) tty.type(ch); // typed one key at a time, with a backspace
    tty.type("\r");
    await tick();
    tty.type(`${apiSecret}\r`);
    const r = await pending;
    expect(r.code).toBe(0);
    expect(tty.rawModeChanges).toEqual([true, false]);
    expect(JSON.parse(world.secretWrites[0]?.value ?? "")).toEqual({ apiKey, apiSecret });
    // The key echoed keystroke by keystroke, the stray "x" rubbed out; then the secret prompt, nothing echoed.
    expect(r.stderr).toContain(`API key: ${apiKey}x\b \b\nAPI secret, or paste the private key PEM: \n`);
    expectNoSecretMaterial(r.stdout, r.stderr);
    expectNoKeyMaterial(r.stdout);
  });

  it("asks again for an empty or malformed key or secret, not from the start", async () => {
    const tty = new FakeTtyStdin();
    world.secretWrites.length = 0;
    const deps = world.deps({ stdin: tty });
    const pending = run(createPutSecretCommand(deps), ["--account", "main"], deps);
    for (const answer of [
      "\r",
      "not a key!\r",
      `${apiKey}\r`,
      "\r",
      "-----BEGIN PRIVATE KEY-----\rnope\r-----END PRIVATE KEY-----\r",
      `${apiSecret}\r`,
    ]) {
      await tick();
      tty.type(answer);
    }
    const r = await pending;
    expect(r.code).toBe(0);
    expect(JSON.parse(world.secretWrites[0]?.value ?? "")).toEqual({ apiKey, apiSecret });
    const problems = r.stderr.split("\n").filter((l) => l.endsWith("; try again (Ctrl-C to stop)."));
    expect(problems).toEqual([
      "  the API key is empty; copy it from Binance's API Management page; try again (Ctrl-C to stop).",
      "  that is not a Binance API key (16-128 letters and digits); try again (Ctrl-C to stop).",
      "  the secret is empty; try again (Ctrl-C to stop).",
      "  privateKey is not a readable PEM private key; try again (Ctrl-C to stop).",
    ]);
    expect(r.stderr.match(/API key: /g)).toHaveLength(3);
    expect(r.stderr.match(/API secret, or paste the private key PEM: /g)).toHaveLength(3);
    expectNoSecretMaterial(r.stdout, r.stderr);
  });

  it("gives up after five malformed answers", async () => {
    const tty = new FakeTtyStdin();
    world.secretWrites.length = 0;
    const deps = world.deps({ stdin: tty });
    const pending = run(createPutSecretCommand(deps), ["--account", "main"], deps);
    for (let i = 0; i < 5; i++) {
      await tick();
      tty.type("short\r");
    }
    const r = await pending;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("invalid key: that is not a Binance API key");
    expect(world.secretWrites).toHaveLength(0);
  });

  it("does not echo a pasted JSON secret, nor a secret pasted together with the key", async () => {
    for (const paste of [`${JSON.stringify({ apiKey, apiSecret })}\r`, `${apiKey}\r${apiSecret}\r`]) {
      const tty = new FakeTtyStdin();
      world.secretWrites.length = 0;
      const deps = world.deps({ stdin: tty });
      const pending = run(createPutSecretCommand(deps), ["--account", "main"], deps);
      await tick();
      tty.type(paste);
      const r = await pending;
      expect(r.code).toBe(0);
      expect(JSON.parse(world.secretWrites[0]?.value ?? "")).toEqual({ apiKey, apiSecret });
      expectNoSecretMaterial(r.stdout, r.stderr);
    }
  });

  it("takes a pasted multi-line PEM after the key", async () => {
    const tty = new FakeTtyStdin();
    world.secretWrites.length = 0;
    const deps = world.deps({ stdin: tty });
    const pending = run(createPutSecretCommand(deps), ["--account", "main", "--no-check"], deps);
    await tick();
    tty.type(`${apiKey}\r`);
    await tick();
    tty.type(pem.replace(/\n/g, "\r")); // a paste arrives as one chunk with carriage returns
    const r = await pending;
    expect(r.code).toBe(0);
    expect(JSON.parse(world.secretWrites[0]?.value ?? "")).toEqual({ apiKey, privateKey: pem });
    expectNoSecretMaterial(r.stdout, r.stderr);
  });

  it("cancels on Ctrl-C, writes nothing and restores the terminal", async () => {
    const tty = new FakeTtyStdin();
    world.secretWrites.length = 0;
    const deps = world.deps({ stdin: tty });
    const pending = run(createPutSecretCommand(deps), ["--account", "main", "--no-check"], deps);
    await tick();
    tty.type(`${apiKey.slice(0, 10)}\u0003`);
    const r = await pending;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cancelled");
    expect(tty.rawMode).toBe(false);
    expect(world.secretWrites).toHaveLength(0);
  });
});
