/**
 * 400 accounts in one stack (one IP's Binance weight: 2,400 a minute / 6 a read), against every
 * AWS limit that many accounts meet: the function's 4 KB environment, IAM policy sizes, the
 * 500-resource stack, the template size, the outputs, and the cycle's time. The worst case for
 * each is a created secret per account (a resource and an exact ARN each).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotations, Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { DeployConfigError } from "../../infra/config/index.js";
import { monitorTimeoutSeconds } from "../../infra/schedule.js";
import {
  MANAGED_POLICIES_PER_ROLE,
  MANAGED_POLICY_CHARS,
  MAX_ACCOUNTS,
  MAX_STACK_RESOURCES,
  PLANNED_ACCOUNTS,
} from "../../infra/stack-limits.js";
import { DEFAULTS, loadConfig } from "../../lib/config.js";
import {
  type Json,
  joinToString,
  logicalIdStartingWith,
  monitorVariables,
  type Synth,
  statementsOfRole,
  synth,
} from "./support.js";

const ACCOUNT = "123456789012";
const accounts = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `account-${i}`, createSecret: true }));

/** Lambda's limit on the whole environment (keys and values). */
const ENVIRONMENT_BYTES = 4096;
/** CloudFormation's limit for a template uploaded to S3 (as `cdk deploy` does past 51,200 bytes). */
const TEMPLATE_BYTES = 1_000_000;

/**
 * A template value as deployed, with each reference as long as it can plausibly resolve (a
 * table name, a topic or secret ARN): an upper estimate of what AWS counts.
 */
function deployedLength(value: Json): number {
  if (typeof value === "string") return value.length;
  const v = value as Record<string, Json>;
  if (v.Ref !== undefined || v["Fn::GetAtt"] !== undefined) return 128;
  if (Array.isArray(v["Fn::Join"])) {
    const [sep, parts] = v["Fn::Join"] as [string, Json[]];
    return parts.reduce<number>((n, p) => n + deployedLength(p), 0) + sep.length * Math.max(0, parts.length - 1);
  }
  if (v["Fn::Select"] !== undefined || v["Fn::Split"] !== undefined) return 128;
  return JSON.stringify(value).length;
}

/** A policy document's characters as IAM counts them (no whitespace), a created secret's Ref as its full ARN. */
function policyChars(document: Json): number {
  const secretArn = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:CoinmGuard/account-000-AbCdEf`;
  return JSON.stringify(document, (_k, v: Json) =>
    v !== null && typeof v === "object" && "Ref" in (v as object) ? secretArn : v,
  ).length;
}

describe("400 accounts, each with a created secret", () => {
  let s: Synth;
  beforeAll(() => {
    s = synth({ accounts: accounts(MAX_ACCOUNTS) }, { account: ACCOUNT, securityChecks: false });
  });

  it("synthesizes, the account list in the asset and the monitor's environment under 4 KB", () => {
    expect(MAX_ACCOUNTS).toBe(400);
    const vars = monitorVariables(s.template);
    expect(vars.ACCOUNTS).toBeUndefined();
    // Lambda counts the variables' names and values.
    const size = Object.entries(vars).reduce((n, [k, v]) => n + k.length + deployedLength(v), 0);
    expect(size).toBeLessThan(ENVIRONMENT_BYTES / 4);
    expect(s.stack.monitor.accountList).toHaveLength(400);
  });

  it("warns at synth that past 360 accounts re-reads at risk are deferred first", () => {
    expect(PLANNED_ACCOUNTS).toBe(360);
    Annotations.fromStack(s.stack).hasWarning(
      "*",
      Match.stringLikeRegexp("^400 accounts leave less than 10% of Binance's 2400 weight a minute"),
    );
    const calm = synth({ accounts: accounts(PLANNED_ACCOUNTS) }, { account: ACCOUNT, securityChecks: false });
    Annotations.fromStack(calm.stack).hasNoWarning("*", Match.stringLikeRegexp("accounts leave less than"));
  });

  it("the core's loader reads the 400 accounts from the file, as the function does at cold start", () => {
    const dir = mkdtempSync(join(tmpdir(), "coinm-guard-accounts-"));
    writeFileSync(join(dir, "accounts.json"), JSON.stringify(s.stack.monitor.accountList));
    const config = loadConfig({
      ACCOUNTS_FILE: "accounts.json",
      LAMBDA_TASK_ROOT: dir,
      SNAPSHOT_TABLE: "t",
      ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:t",
    });
    expect(config.accounts).toHaveLength(400);
    expect(config.accounts[399]).toEqual({ name: "account-399", secretId: "CoinmGuard/account-399" });
  });

  it("grants each secret exactly, in managed policies each under IAM's 6,144 characters, at most 10", () => {
    const policies = Object.values(s.template.findResources("AWS::IAM::ManagedPolicy")) as {
      Properties: { PolicyDocument: Json; Roles: Json[] };
    }[];
    expect(policies.length).toBeGreaterThan(1);
    expect(policies.length).toBeLessThanOrEqual(MANAGED_POLICIES_PER_ROLE);
    for (const p of policies)
      expect(policyChars(p.Properties.PolicyDocument)).toBeLessThanOrEqual(MANAGED_POLICY_CHARS);

    const role = logicalIdStartingWith(s.template, "AWS::IAM::Role", "MonitorRole");
    const statements = statementsOfRole(s.template, role).filter((st) => st.Sid === "AccountSecrets");
    const granted = statements.flatMap((st) => [st.Resource].flat()) as { Ref: string }[];
    const secrets = Object.keys(s.template.findResources("AWS::SecretsManager::Secret"));
    expect(granted.map((r) => r.Ref).sort()).toEqual(secrets.sort());
    for (const st of statements) expect(st.Action).toBe("secretsmanager:GetSecretValue");
  });

  it("keeps the role's inline policy small, and starts the function only once every account policy is attached", () => {
    const inline = Object.values(s.template.findResources("AWS::IAM::Policy")).map(
      (p) => (p as { Properties: { PolicyDocument: Json } }).Properties.PolicyDocument,
    );
    // IAM allows 10,240 characters of inline policy per role; the secrets are not in it.
    for (const doc of inline) expect(policyChars(doc)).toBeLessThan(2000);
    const fnId = logicalIdStartingWith(s.template, "AWS::Lambda::Function", "MonitorFunction");
    const dependsOn = (s.template.toJSON().Resources[fnId] as { DependsOn: string[] }).DependsOn;
    for (const id of Object.keys(s.template.findResources("AWS::IAM::ManagedPolicy"))) expect(dependsOn).toContain(id);
  });

  it("stays under CloudFormation's 500 resources and its template size", () => {
    const resources = Object.keys(s.template.toJSON().Resources).length;
    expect(resources).toBeLessThanOrEqual(MAX_STACK_RESOURCES);
    expect(resources).toBeGreaterThan(400);
    expect(JSON.stringify(s.template.toJSON()).length).toBeLessThan(TEMPLATE_BYTES / 2);
  });

  it("exports no output (exports are limited to 1,024 characters); the outputs that list accounts list all 400", () => {
    const outputs = s.template.toJSON().Outputs as Record<string, { Value: Json; Export?: unknown }>;
    for (const o of Object.values(outputs)) expect(o.Export).toBeUndefined();
    const secrets = outputs.AccountSecrets?.Value as { "Fn::Join": [string, Json[]] };
    const refs = secrets["Fn::Join"][1].filter((p) => typeof p !== "string");
    expect(refs).toHaveLength(400);
    expect(JSON.parse(String(outputs.AccountList?.Value))).toHaveLength(400);
    // No documented limit on a plain output's value; all of a stack's outputs together held
    // ~450 KB when measured (docs/scaling.md). These, resolved, are under a quarter of that.
    const total = Object.values(outputs).reduce((n, o) => n + deployedLength(o.Value), 0);
    expect(total).toBeLessThan(100_000);
  });

  it("reads every account well inside one run: the timeout leaves over 2 s for each round of reads", () => {
    // docs/scaling.md: a round of 16 reads takes ~0.7 s from eu-west-1; the handler stops reading
    // 4 s before the timeout and reports what it could not read as deferred.
    const rounds = Math.ceil(MAX_ACCOUNTS / DEFAULTS.accountConcurrency);
    const secondsPerRound = (monitorTimeoutSeconds({ expression: "rate(1 minute)", intervalMinutes: 1 }) - 4) / rounds;
    expect(rounds).toBe(25);
    expect(secondsPerRound).toBeGreaterThan(2);
  });
});

describe("400 accounts in one shared secret (the configuration for many accounts)", () => {
  it("needs one policy and one statement for all of them", () => {
    const s = synth(
      { accounts: Array.from({ length: 400 }, (_, i) => ({ name: `a${i}`, secretName: `binance/keys#a${i}` })) },
      { account: ACCOUNT, securityChecks: false },
    );
    s.template.resourceCountIs("AWS::IAM::ManagedPolicy", 1);
    s.template.resourceCountIs("AWS::SecretsManager::Secret", 0);
    const role = logicalIdStartingWith(s.template, "AWS::IAM::Role", "MonitorRole");
    const secretStatements = statementsOfRole(s.template, role).filter((st) => st.Sid === "AccountSecrets");
    expect(secretStatements).toHaveLength(1);
    const resources = [secretStatements[0]?.Resource].flat().map((r) => joinToString(r as Json));
    expect(resources).toEqual([expect.stringMatching(/:secret:binance\/keys-\?\?\?\?\?\?$/)]);
  });
});

describe("past 500 resources", () => {
  it("refuses the stack, counting the created secrets and naming the ways out", () => {
    // 400 created secrets, ~35 resources of the stack's own and one subscription per address.
    const emails = Array.from({ length: 80 }, (_, i) => `ops${i}@example.com`);
    let problems: readonly string[] = [];
    try {
      synth({ accounts: accounts(400), emails }, { account: ACCOUNT, securityChecks: false });
    } catch (err) {
      if (!(err instanceof DeployConfigError)) throw err;
      problems = err.problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(
        /^accounts: the stack would have 5\d\d resources and CloudFormation allows 500; 400 of them are secrets created for accounts \("createSecret"\)\. Keep several accounts' keys in one secret/,
      ),
    ]);
  });
});
