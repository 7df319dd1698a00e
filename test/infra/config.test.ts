/**
 * Deploy config validation: every mistake a user can make in cdk.json's "coinm-guard" block is
 * caught at synth with a message naming the key and what to do. No synthesis here; pure checks.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configFromContext, configWithOverride, DeployConfigError, resolveConfig } from "../../infra/config/index.js";
import { cdkJsonContext, REPO_ROOT, shippedConfig, TEST_RECIPIENTS } from "./support.js";

/** cdk.json's block plus one recipient (cdk.json ships with none, which synth refuses). */
const base = (): Record<string, unknown> => ({ ...shippedConfig(), ...TEST_RECIPIENTS });

function problemsOf(raw: unknown, options = {}): string[] {
  try {
    resolveConfig(raw, options);
  } catch (err) {
    if (err instanceof DeployConfigError) return [...err.problems];
    throw err;
  }
  throw new Error("expected the config to be rejected");
}

describe("the shipped config (cdk.json)", () => {
  it("is refused until someone would receive alerts, naming emails, phoneNumbers and chat", () => {
    const shipped = shippedConfig();
    expect(shipped.emails).toEqual([]);
    expect(shipped.phoneNumbers).toEqual([]);
    expect(problemsOf(shipped)).toEqual([
      'emails, phoneNumbers, chat: no one would receive an alert: add an email address to "emails", an E.164 number ' +
        'to "phoneNumbers" or a channel to "chat" (docs/deploy.md, "Who gets alerts")',
    ]);
    expect(problemsOf({ ...shipped, chat: [] })[0]).toMatch(/^emails, phoneNumbers, chat: no one would receive/);
    // Any one recipient is enough.
    expect(resolveConfig({ ...shipped, phoneNumbers: ["+447700900123"] }).phoneNumbers).toHaveLength(1);
  });

  it("deploys with one recipient added: one created secret, non-US region, the core's defaults", () => {
    const config = resolveConfig(base());
    expect(config).toMatchObject({
      stackName: "CoinmGuard",
      region: "eu-west-1",
      accounts: [{ name: "main", secret: { kind: "create", secretName: "CoinmGuard/main" } }],
      schedule: { expression: "rate(1 minute)", intervalMinutes: 1 },
      heartbeatWindowMinutes: 5,
      alertLevels: [
        { name: "warning", ratio: 0.5 },
        { name: "critical", ratio: 0.8 },
      ],
      hysteresis: 0.05,
      distanceLevels: [
        { name: "warning", distance: 0.1 },
        { name: "critical", distance: 0.03 },
      ],
      distanceHysteresis: 0.01,
      renotifyMinutes: 60,
      snapshotTtlDays: 90,
      logRetentionDays: 30,
      ratioMetrics: "off",
      fastPollSeconds: 10,
      scheduleIntervalSeconds: 60,
      dashboard: true,
      alertTopicKey: "aws-managed",
      emails: ["alerts@example.com"],
      phoneNumbers: [],
      emailMinSeverity: "ok",
      smsMinSeverity: "critical",
      chat: [],
      binanceBaseUrl: undefined,
      binanceSpotBaseUrl: undefined,
    });
  });

  it("fills defaults for everything but accounts", () => {
    const config = resolveConfig({ accounts: [{ name: "a", createSecret: true }], ...TEST_RECIPIENTS });
    expect(config.region).toBe("eu-west-1");
    expect(config.schedule.expression).toBe("rate(1 minute)");
    expect(config.alertLevels.map((l) => l.ratio)).toEqual([0.5, 0.8]);
    expect(config.alertTopicKey).toBe("aws-managed");
  });

  it("accepts the config as JSON text, as `cdk synth -c coinm-guard='{...}'` passes it", () => {
    const fromText = configFromContext(JSON.stringify({ ...base(), region: "eu-central-1" }));
    expect(resolveConfig(fromText).region).toBe("eu-central-1");
    expect(() => configFromContext("{not json")).toThrow(/not valid JSON/);
  });
});

describe("region guard", () => {
  it("rejects a US region with the reason (Binance 451) and the way out", () => {
    const [problem] = problemsOf({ ...base(), region: "us-east-1" });
    expect(problem).toMatch(/^region: "us-east-1" is a US region/);
    expect(problem).toContain("HTTP 451");
    expect(problem).toContain('"allowUsRegion": true');
    expect(problemsOf({ ...base(), region: "us-gov-west-1" })[0]).toMatch(/US region/);
  });

  it("lets a proxy setup override it", () => {
    const config = resolveConfig({
      ...base(),
      region: "us-east-1",
      allowUsRegion: true,
      binanceBaseUrl: "https://binance-proxy.example.com",
    });
    expect(config.region).toBe("us-east-1");
    expect(config.binanceBaseUrl).toBe("https://binance-proxy.example.com");
  });

  it("rejects something that is not a region name", () => {
    expect(problemsOf({ ...base(), region: "Ireland" })).toEqual([
      'region: "Ireland" is not an AWS region name (e.g. "eu-west-1"); if AWS opened it after this version of aws-cdk-lib, update aws-cdk-lib',
    ]);
  });

  it("accepts exactly the regions the CDK knows, in every partition, and suggests the closest for a typo", () => {
    expect(problemsOf({ ...base(), region: "eu-wset-1" })).toEqual([
      'region: "eu-wset-1" is not an AWS region name (did you mean "eu-west-1"?); if AWS opened it after this version of aws-cdk-lib, update aws-cdk-lib',
    ]);
    expect(problemsOf({ ...base(), region: "eu-west-9" })[0]).toMatch(/is not an AWS region name/);
    // Newer regions and other partitions, which a "two letters, words, digit" pattern got wrong either way.
    for (const region of ["eusc-de-east-1", "ap-southeast-7", "mx-central-1", "cn-north-1", "eu-isoe-west-1"]) {
      expect(resolveConfig({ ...base(), region }).region).toBe(region);
    }
  });
});

describe("alert levels and thresholds (checked by the core's validators)", () => {
  it("rejects a ratio outside (0, 1]", () => {
    expect(problemsOf({ ...base(), alertLevels: [{ name: "warning", ratio: 1.5 }] })).toEqual([
      'alertLevels: entry 0 (warning): "ratio" must be a number in (0, 1]',
    ]);
  });

  it("rejects duplicate names and the reserved name ok", () => {
    expect(
      problemsOf({
        ...base(),
        alertLevels: [
          { name: "warning", ratio: 0.5 },
          { name: "warning", ratio: 0.7 },
        ],
      })[0],
    ).toMatch(/^alertLevels: .*distinct names/);
    expect(problemsOf({ ...base(), alertLevels: [{ name: "ok", ratio: 0.5 }] })[0]).toMatch(/other than "ok"/);
  });

  it("rejects an empty or non-array list", () => {
    expect(problemsOf({ ...base(), alertLevels: [] })[0]).toMatch(/^alertLevels: must be a non-empty JSON array/);
    expect(problemsOf({ ...base(), alertLevels: "0.5" })[0]).toMatch(/^alertLevels: must be a non-empty JSON array/);
  });

  it("sorts levels ascending", () => {
    const config = resolveConfig({
      ...base(),
      alertLevels: [
        { name: "critical", ratio: 0.9 },
        { name: "notice", ratio: 0.3 },
      ],
    });
    expect(config.alertLevels.map((l) => l.name)).toEqual(["notice", "critical"]);
  });

  it("checks distance levels against the alert levels, reporting them by their cdk.json key", () => {
    expect(
      problemsOf({ ...base(), distanceLevels: [{ name: "severe", distance: 0.1 }], distanceHysteresis: 0.9 }),
    ).toEqual([
      'distanceLevels: entry 0: "name" must be one of the alert levels (warning, critical)',
      "distanceHysteresis: must be between 0 and 0.5, got 0.9",
    ]);
  });

  it("keeps hysteresis below the lowest level", () => {
    expect(problemsOf({ ...base(), hysteresis: 0.5, alertLevels: [{ name: "warning", ratio: 0.4 }] })).toEqual([
      "hysteresis: must be below the lowest alert level (0.4)",
    ]);
  });

  it("checks ranges and types of the numeric settings", () => {
    expect(problemsOf({ ...base(), renotifyMinutes: 1.5 })).toEqual(['renotifyMinutes: must be an integer, got "1.5"']);
    expect(problemsOf({ ...base(), snapshotTtlDays: 0 })).toEqual([
      "snapshotTtlDays: must be between 1 and 3650, got 0",
    ]);
    expect(problemsOf({ ...base(), hysteresis: "0.05" })).toEqual(["hysteresis: must be a number, got a string"]);
  });

  it("rejects at synth a Binance URL that is not a bare origin (it landed in the template and was cut at run time)", () => {
    for (const url of [
      "https://user:hunter2@proxy.example.com",
      "https://proxy.example.com/dapi",
      "https://proxy.example.com/?x=1",
    ]) {
      const problems = problemsOf({ ...base(), binanceBaseUrl: url });
      expect(problems[0]).toMatch(/^binanceBaseUrl: must (be a bare origin|not contain a user name or password)/);
      expect(problems.join("\n")).not.toContain("hunter2");
      expect(problemsOf({ ...base(), binanceSpotBaseUrl: url })[0]).toMatch(/^binanceSpotBaseUrl: must /);
    }
  });

  it("rejects a non-https Binance URL", () => {
    expect(problemsOf({ ...base(), binanceSpotBaseUrl: "http://proxy.example.com" })[0]).toMatch(
      /^binanceSpotBaseUrl: must use https/,
    );
    expect(problemsOf({ ...base(), binanceBaseUrl: "http://proxy.example.com" })[0]).toMatch(
      /^binanceBaseUrl: must use https/,
    );
  });
});

describe("subscribers", () => {
  it("rejects a malformed email, naming its position", () => {
    expect(problemsOf({ ...base(), emails: ["ops@example.com", "ops at example.com"] })).toEqual([
      'emails[1]: "ops at example.com" is not an email address',
    ]);
  });

  it("rejects a duplicate email", () => {
    expect(problemsOf({ ...base(), emails: ["ops@example.com", "ops@example.com"] })).toEqual([
      'emails[1]: "ops@example.com" is listed twice',
    ]);
  });

  it("requires E.164 phone numbers", () => {
    for (const bad of ["447700900123", "+44 7700 900123", "+0447700900123", "+1"]) {
      expect(problemsOf({ ...base(), phoneNumbers: [bad] })[0]).toMatch(/^phoneNumbers\[0\]: .* is not an E\.164/);
    }
    expect(resolveConfig({ ...base(), phoneNumbers: ["+447700900123"] }).phoneNumbers).toEqual(["+447700900123"]);
  });
});

describe("accounts", () => {
  it("holds 400 accounts (one IP's Binance weight: 2,400 / 6), and refuses a 401st saying why and how to split", () => {
    // The account list is a file in the function's asset, not the 4 KB environment (test/infra/scale.test.ts).
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `account-${i}`, createSecret: true }));
    expect(resolveConfig({ ...base(), accounts: many(400) }).accounts).toHaveLength(400);
    expect(problemsOf({ ...base(), accounts: many(401) })).toEqual([
      "accounts: 401 accounts are more than one IP can read: Binance allows 2400 request weight a minute and each " +
        "read costs 6, so at most 400 accounts a stack (the rest would be deferred every run); split the accounts " +
        "across two stacks with different stackName values (docs/scaling.md)",
    ]);
  });

  it("refuses secrets whose exact ARNs need more IAM policies than a role takes, naming the ways out", () => {
    // 300 secrets by 200-character names: ~78,000 characters of exact ARNs, 13 policies of 6,144.
    const long = (i: number) => `binance/${"k".repeat(180)}-${String(i).padStart(4, "0")}`;
    const accounts = Array.from({ length: 300 }, (_, i) => ({ name: `a${i}`, secretName: long(i) }));
    expect(problemsOf({ ...base(), accounts })).toEqual([
      expect.stringMatching(
        /^accounts: the accounts' secrets need 1[0-9] IAM policies of 6144 characters to grant each exactly, and a role takes 10: keep several accounts' keys in one secret/,
      ),
    ]);
    // The same accounts' keys in one shared secret: one ARN for all.
    const shared = accounts.map((a, i) => ({ name: a.name, secretName: `binance/keys#a${i}` }));
    expect(resolveConfig({ ...base(), accounts: shared }).accounts).toHaveLength(300);
  });

  it("is required", () => {
    const { accounts: _, ...rest } = base();
    expect(problemsOf(rest)[0]).toMatch(/^accounts: is required/);
  });

  it("rejects duplicate account names (the core's parseAccounts)", () => {
    expect(
      problemsOf({
        ...base(),
        accounts: [
          { name: "main", createSecret: true },
          { name: "main", secretName: "other" },
        ],
      }),
    ).toEqual(['accounts: account name "main" appears twice']);
  });

  it("rejects a name the table key cannot carry", () => {
    expect(problemsOf({ ...base(), accounts: [{ name: "my account", createSecret: true }] })[0]).toMatch(
      /^accounts: entry 0: "name" must be 1-64 letters/,
    );
  });

  it("needs exactly one secret source", () => {
    const problem = /^accounts\[0\]: give exactly one of "createSecret": true/;
    expect(problemsOf({ ...base(), accounts: [{ name: "a" }] })[0]).toMatch(problem);
    expect(problemsOf({ ...base(), accounts: [{ name: "a", createSecret: true, secretName: "x" }] })[0]).toMatch(
      problem,
    );
  });

  it("imports a secret by name or complete ARN, with an optional CMK", () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:binance/alt-AbC123";
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const config = resolveConfig({
      ...base(),
      accounts: [
        { name: "byName", secretName: "binance/main", secretKmsKeyArn: key },
        { name: "byArn", secretArn: arn },
      ],
    });
    expect(config.accounts).toEqual([
      { name: "byName", secret: { kind: "name", secretName: "binance/main", kmsKeyArn: key } },
      { name: "byArn", secret: { kind: "arn", secretArn: arn, kmsKeyArn: undefined } },
    ]);
  });

  it("rejects a partial ARN, an ARN in another region, and one in another account", () => {
    const at = (secretArn: string, account?: string) =>
      problemsOf({ ...base(), accounts: [{ name: "a", secretArn }] }, { account })[0];
    expect(at("arn:aws:secretsmanager:eu-west-1:123456789012:secret:binance")).toMatch(/not a complete secret ARN/);
    expect(at("arn:aws:secretsmanager:eu-central-1:123456789012:secret:binance-AbC123")).toMatch(
      /region eu-central-1 but the stack deploys to eu-west-1/,
    );
    expect(at("arn:aws:secretsmanager:eu-west-1:123456789012:secret:binance-AbC123", "210987654321")).toMatch(
      /cross-account secrets are not supported/,
    );
  });

  it("rejects a CMK on a created secret and an alias in place of a key ARN", () => {
    expect(
      problemsOf({
        ...base(),
        accounts: [{ name: "a", createSecret: true, secretKmsKeyArn: "arn:aws:kms:eu-west-1:1:key/x" }],
      })[0],
    ).toMatch(/^accounts\[0\]\.secretKmsKeyArn: applies only to an existing secret/);
    expect(
      problemsOf({
        ...base(),
        accounts: [{ name: "a", secretName: "s", secretKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/mine" }],
      })[0],
    ).toMatch(/aliases are not accepted/);
  });
});

describe("schedule", () => {
  it("insists on EventBridge's singular/plural units", () => {
    expect(problemsOf({ ...base(), schedule: "rate(1 minutes)" })).toEqual([
      'schedule: "rate(1 minutes)": use the singular unit for 1: "rate(1 minute)"',
    ]);
    expect(problemsOf({ ...base(), schedule: "rate(5 minute)" })[0]).toContain('"rate(5 minutes)"');
  });

  it("rejects free text and intervals too long for the heartbeat alarm", () => {
    expect(problemsOf({ ...base(), schedule: "every minute" })[0]).toMatch(/^schedule: "every minute": must be/);
    expect(problemsOf({ ...base(), schedule: "rate(1 day)" })[0]).toMatch(/between 1 minute and 12 hours/);
  });

  it("derives the heartbeat window from the rate (at least two runs, at least 5 minutes)", () => {
    expect(resolveConfig({ ...base(), schedule: "rate(2 minutes)" }).heartbeatWindowMinutes).toBe(5);
    expect(resolveConfig({ ...base(), schedule: "rate(10 minutes)" }).heartbeatWindowMinutes).toBe(20);
  });

  it("needs an explicit heartbeat window for cron, and one no shorter than two runs", () => {
    expect(problemsOf({ ...base(), schedule: "cron(0/5 * * * ? *)" })[0]).toMatch(
      /^heartbeatWindowMinutes: is required with a cron schedule/,
    );
    expect(
      resolveConfig({ ...base(), schedule: "cron(0/5 * * * ? *)", heartbeatWindowMinutes: 15 }).heartbeatWindowMinutes,
    ).toBe(15);
    expect(problemsOf({ ...base(), schedule: "rate(5 minutes)", heartbeatWindowMinutes: 5 })[0]).toMatch(
      /less than two runs/,
    );
  });
});

describe("switches and other settings", () => {
  it("accepts the two topic keys and rejects anything else", () => {
    expect(resolveConfig({ ...base(), alertTopicKey: "customer-managed" }).alertTopicKey).toBe("customer-managed");
    expect(problemsOf({ ...base(), alertTopicKey: "none" })).toEqual([
      'alertTopicKey: must be one of aws-managed, customer-managed, got "none"',
    ]);
  });

  it("keeps the dashboard with the ratio metrics off (it reads the logs), and reads the three metric settings", () => {
    expect(resolveConfig({ ...base(), ratioMetrics: "off", dashboard: undefined }).dashboard).toBe(true);
    expect(resolveConfig({ ...base(), ratioMetrics: "worst" }).ratioMetrics).toBe("worst");
    expect(resolveConfig({ ...base(), ratioMetrics: "per-asset" }).ratioMetrics).toBe("per-asset");
    // Configs written when the setting was a boolean keep their meaning.
    expect(resolveConfig({ ...base(), ratioMetrics: true }).ratioMetrics).toBe("per-asset");
    expect(resolveConfig({ ...base(), ratioMetrics: false }).ratioMetrics).toBe("off");
    expect(problemsOf({ ...base(), ratioMetrics: "some" })).toEqual([
      'ratioMetrics: must be one of off, worst, per-asset, got "some"',
    ]);
    expect(problemsOf({ ...base(), ratioMetrics: 3 })).toEqual(["ratioMetrics: must be one of off, worst, per-asset"]);
  });

  it("checks fastPollSeconds: whole seconds, 0 (off) or at least 5, at most half the schedule interval", () => {
    expect(resolveConfig({ ...base(), fastPollSeconds: 0 }).fastPollSeconds).toBe(0);
    expect(resolveConfig({ ...base(), fastPollSeconds: 30 }).fastPollSeconds).toBe(30);
    expect(problemsOf({ ...base(), fastPollSeconds: 2 })).toEqual([
      "fastPollSeconds: must be 0 or at least 5: each re-read spends request weight",
    ]);
    expect(problemsOf({ ...base(), fastPollSeconds: 7.5 })[0]).toMatch(/^fastPollSeconds: must be a whole number/);
    expect(problemsOf({ ...base(), fastPollSeconds: 40 })).toEqual([
      "fastPollSeconds: must be at most half the schedule interval (30 s), got 40",
    ]);
    expect(resolveConfig({ ...base(), schedule: "rate(5 minutes)", fastPollSeconds: 40 }).fastPollSeconds).toBe(40);
  });

  it("accepts only CloudWatch Logs retention values", () => {
    expect(problemsOf({ ...base(), logRetentionDays: 42 })[0]).toMatch(/^logRetentionDays: must be one of .*, 30, /);
  });

  it("rejects unknown keys (typos) and bad log levels", () => {
    expect(problemsOf({ ...base(), emial: ["a@b.co"] })[0]).toMatch(/^emial: unknown setting/);
    expect(problemsOf({ ...base(), logLevel: "verbose" })[0]).toMatch(/^logLevel: must be one of debug, info/);
  });

  it("reports every problem at once, in a message that says where the config lives", () => {
    let error: unknown;
    try {
      resolveConfig({ ...base(), region: "us-west-2", emails: ["nope"], phoneNumbers: ["123"] });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DeployConfigError);
    const { problems, message } = error as DeployConfigError;
    expect(problems.map((p) => p.split(":")[0])).toEqual(["region", "emails[0]", "phoneNumbers[0]"]);
    expect(message).toMatch(/^Invalid coinm-guard config \(cdk\.json, context "coinm-guard"\)/);
  });
});

describe("the CDK entry point", () => {
  it("prints config problems without a stack trace and exits 1", () => {
    const out = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "infra", "app.ts")], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: {
        ...process.env,
        CDK_OUTDIR: mkdtempSync(join(tmpdir(), "coinm-guard-cdk-")),
        CDK_CONTEXT_JSON: JSON.stringify({ "coinm-guard": { ...base(), region: "us-east-1" } }),
      },
    });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('region: "us-east-1" is a US region');
    expect(out.stderr).not.toMatch(/\bat \w+ \(/);
  });
});

describe("a -c coinm-guard='{...}' override", () => {
  it("merges over cdk.json's block key by key: setting the region keeps every subscription", () => {
    const file = { ...base(), phoneNumbers: ["+447700900123"] };
    const merged = configWithOverride(JSON.stringify({ region: "eu-central-1" }), file);
    const config = resolveConfig(merged);
    expect(config.region).toBe("eu-central-1");
    expect(config.emails).toEqual(["alerts@example.com"]);
    expect(config.phoneNumbers).toEqual(["+447700900123"]);
    expect(config.accounts.map((a) => a.name)).toEqual(["main"]);
  });

  it("replaces arrays whole, so an override can also remove recipients", () => {
    const merged = configWithOverride(JSON.stringify({ emails: ["other@example.org"] }), {
      ...base(),
      emails: ["a@example.com", "b@example.com"],
    });
    expect(resolveConfig(merged).emails).toEqual(["other@example.org"]);
  });

  it("end to end: the shipped cdk.json is refused, and `-c` setting only emails synthesizes it", () => {
    const app = (contextValue: unknown) => {
      const outdir = mkdtempSync(join(tmpdir(), "coinm-guard-cdk-"));
      const out = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "infra", "app.ts")], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        env: {
          ...process.env,
          CDK_OUTDIR: outdir,
          // As the CDK CLI passes it: cdk.json's context with `-c` values on top (as text).
          CDK_CONTEXT_JSON: JSON.stringify({
            ...cdkJsonContext(),
            "coinm-guard": contextValue,
            "aws:cdk:bundling-stacks": [],
          }),
        },
      });
      return { ...out, outdir };
    };
    const refused = app(shippedConfig());
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("emails, phoneNumbers, chat: no one would receive an alert");

    const merged = app(JSON.stringify({ emails: ["oncall@example.com"] }));
    expect(merged.stderr).not.toContain("Invalid coinm-guard config");
    expect(merged.status).toBe(0);
    const template = readFileSync(join(merged.outdir, "CoinmGuard.template.json"), "utf8");
    expect(template).toMatch(/"Endpoint": "oncall@example\.com"/);
    // Everything else is cdk.json's: the region, the created secret for "main".
    const manifest = readFileSync(join(merged.outdir, "manifest.json"), "utf8");
    expect(manifest).toContain("/eu-west-1");
    expect(template).toContain("CoinmGuard/main");
  });

  it("leaves cdk.json's own block alone when there is no override (the context value is the object)", () => {
    expect(configWithOverride(base(), { region: "ignored" })).toEqual(base());
  });
});

describe("routing settings", () => {
  it("defaults email to everything and SMS to critical, and takes any severity for either", () => {
    expect(resolveConfig({ ...base(), smsMinSeverity: "warning", emailMinSeverity: "critical" })).toMatchObject({
      smsMinSeverity: "warning",
      emailMinSeverity: "critical",
    });
    expect(problemsOf({ ...base(), smsMinSeverity: "high" })).toEqual([
      'smsMinSeverity: must be one of ok, warning, critical, got "high"',
    ]);
  });
});

describe("chat channels", () => {
  const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:coinm-guard/slack-AbC123";

  it("accepts each platform with its secret by name or ARN, and counts as a recipient", () => {
    const config = resolveConfig({
      ...shippedConfig(),
      chat: [
        { name: "tg", platform: "telegram", chatId: "-1001234567890", secretName: "coinm-guard/telegram" },
        { name: "ops", platform: "slack", secretArn: SECRET_ARN, minSeverity: "warning" },
        { name: "dc", platform: "discord", secretName: "coinm-guard/discord", minSeverity: "critical" },
        { name: "pd", platform: "webhook", secretName: "coinm-guard/hook", secretHeader: "X-Token" },
      ],
    });
    expect(config.chat).toEqual([
      {
        channel: { name: "tg", platform: "telegram", chatId: "-1001234567890", minSeverity: "ok" },
        secret: { kind: "name", secretName: "coinm-guard/telegram" },
      },
      {
        channel: { name: "ops", platform: "slack", minSeverity: "warning" },
        secret: { kind: "arn", secretArn: SECRET_ARN },
      },
      {
        channel: { name: "dc", platform: "discord", minSeverity: "critical" },
        secret: { kind: "name", secretName: "coinm-guard/discord" },
      },
      {
        channel: { name: "pd", platform: "webhook", minSeverity: "ok", secretHeader: "X-Token" },
        secret: { kind: "name", secretName: "coinm-guard/hook" },
      },
    ]);
  });

  it("names every mistake: no secret, a token in place of a secret, a missing chat id, a bad severity", () => {
    expect(
      problemsOf({
        ...base(),
        chat: [
          { name: "a", platform: "slack" },
          { name: "b", platform: "telegram", secretName: "x", botToken: "123:abc" },
          { name: "c", platform: "telegram", secretName: "x" },
          { name: "d", platform: "sms", secretName: "x" },
          { name: "e", platform: "discord", secretName: "x", minSeverity: "loud" },
          { name: "g", platform: "discord", secretName: "y" },
          { name: "g", platform: "slack", secretName: "z" },
          {
            name: "f",
            platform: "webhook",
            secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbC123",
          },
        ],
      }),
    ).toEqual([
      'chat[0]: give exactly one of "secretName" or "secretArn": the Secrets Manager secret with the bot token or ' +
        "webhook URL (never the token itself: cdk.json and the template are not secret)",
      "chat[1].botToken: unknown setting (known: name, platform, secretId, minSeverity, chatId, secretHeader)",
      'chat[2].chatId: is required for Telegram: the chat id (e.g. "-1001234567890") or "@channel"',
      "chat[3].platform: must be one of telegram, slack, discord, webhook",
      "chat[4].minSeverity: must be one of ok, warning, critical",
      'chat[6].name: "g" is used twice',
      "chat[7].secretArn: secret is in region us-east-1 but the stack deploys to eu-west-1",
    ]);
  });
});

describe("per-account and per-asset levels", () => {
  const hot = {
    name: "hot",
    createSecret: true,
    alertLevels: [
      { name: "warning", ratio: 0.7 },
      { name: "critical", ratio: 0.9 },
    ],
    distanceLevels: [{ name: "critical", distance: 0.02 }],
    assets: { BTCUSD_PERP: { distanceLevels: [{ name: "critical", distance: 0.01 }] }, ETH: {} },
  };

  it("accepts an account's own ratio and distance levels, and per asset or symbol", () => {
    const config = resolveConfig({ ...base(), accounts: [{ name: "main", createSecret: true }, hot] });
    expect(config.accounts[0]?.levels).toBeUndefined();
    expect(config.accounts[1]?.levels).toEqual({
      alertLevels: hot.alertLevels,
      distanceLevels: hot.distanceLevels,
      assets: hot.assets,
    });
  });

  it("checks them like the global levels, naming the account entry, all at once", () => {
    expect(
      problemsOf({
        ...base(),
        accounts: [
          { name: "a", createSecret: true, alertLevels: [{ name: "danger", ratio: 0.6 }] },
          { name: "b", createSecret: true, alertLevels: [{ name: "warning", ratio: 1.5 }] },
          { name: "c", createSecret: true, assets: { "btc usd": {} } },
          {
            name: "d",
            createSecret: true,
            distanceLevels: [
              { name: "critical", distance: 0.5 },
              { name: "warning", distance: 0.1 },
            ],
          },
          { name: "e", createSecret: true, assets: { BTC: { ratio: 0.5 } } },
        ],
      }),
    ).toEqual([
      'accounts[1].alertLevels: entry 0 (warning): "ratio" must be a number in (0, 1]',
      'accounts[2].assets: "btc usd" is not a margin asset ("BTC") or COIN-M symbol ("BTCUSD_PERP")',
      "accounts[4].assets.BTC.ratio: unknown setting (known: alertLevels, distanceLevels)",
      'accounts[0].alertLevels: "danger" is not one of the alert levels (warning, critical)',
      'accounts[3].distanceLevels: "critical" is more severe than "warning", so its distance must be smaller',
    ]);
  });
});

describe("Portfolio Margin settings", () => {
  it("take the core's defaults when absent, and reach the function's environment when set", async () => {
    const { settingsEnvironment } = await import("../../infra/environment.js");
    const absent = resolveConfig(base());
    expect(settingsEnvironment(absent)).not.toHaveProperty("PORTFOLIO_LEVELS");
    const set = resolveConfig({
      ...base(),
      portfolioLevels: [
        { name: "warning", uniMMR: 2 },
        { name: "critical", uniMMR: 1.3 },
      ],
      portfolioHysteresis: 0.2,
      binancePmBaseUrl: "https://papi-proxy.example.net",
      accounts: [{ name: "pm", createSecret: true, margin: "portfolio" }],
    });
    expect(settingsEnvironment(set)).toMatchObject({
      PORTFOLIO_LEVELS: '[{"name":"warning","uniMMR":2},{"name":"critical","uniMMR":1.3}]',
      PORTFOLIO_HYSTERESIS: "0.2",
      BINANCE_PM_BASE_URL: "https://papi-proxy.example.net",
    });
    expect(set.accounts).toMatchObject([{ name: "pm", margin: "portfolio" }]);
  });

  it("are checked at synth with the core's checks, each named by its key", () => {
    expect(
      problemsOf({
        ...base(),
        portfolioLevels: [{ name: "warning", uniMMR: 1.01 }],
        portfolioHysteresis: 2,
        binancePmBaseUrl: "http://papi.example.com",
        accounts: [{ name: "pm", createSecret: true, margin: "unified" }],
      }),
    ).toEqual([
      'accounts: entry 0 (pm): "margin" must be one of classic, portfolio',
      'portfolioLevels: entry 0 (warning): "uniMMR" must be a number above 1.05 (Binance liquidates at 105%) and at most 100',
      "binancePmBaseUrl: must use https (plain http is allowed only on loopback)",
      "portfolioHysteresis: must be between 0 and 1, got 2",
    ]);
  });
});
