/**
 * Which stack, region and profile the AWS-reading commands use: cdk.json's "coinm-guard" context in
 * a checkout, flags and AWS_REGION winning over it, a line saying what was used, and a profile that
 * does not exist named as such (not as "no credentials").
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingProfileProblem, readProjectDefaults, resolveAwsTarget } from "../../bin/aws-target.js";
import { createPutSecretCommand } from "../../bin/commands/put-secret.js";
import { createStatusCommand } from "../../bin/commands/status.js";
import { CliWorld, pipedStdin, run } from "./support/harness.js";

const REPO = resolve(import.meta.dirname, "../..");
const world = new CliWorld();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "coinm-guard-target-"));
  await world.start();
  await world.table("target-test");
});

afterAll(async () => {
  await world.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("cdk.json defaults", () => {
  it("reads stackName and region from the checkout's cdk.json", () => {
    expect(readProjectDefaults(REPO)).toEqual({ stackName: "CoinmGuard", region: "eu-west-1" });
  });

  it("is absent outside a checkout and tolerates a cdk.json without coinm-guard context", async () => {
    expect(readProjectDefaults(dir)).toBeUndefined();
    const other = join(dir, "other");
    await mkdir(other);
    await writeFile(join(other, "cdk.json"), JSON.stringify({ app: "x", context: {} }));
    expect(readProjectDefaults(other)).toBeUndefined();
  });

  it("flags win over AWS_REGION, which wins over cdk.json, which wins over the defaults", () => {
    const project = { stackName: "Guard2", region: "ap-northeast-1" };
    const fromProject = resolveAwsTarget({}, {}, project);
    expect(fromProject).toEqual({
      stackName: "Guard2",
      client: { region: "ap-northeast-1" },
      note: 'Using stack "Guard2" (cdk.json) in ap-northeast-1 (cdk.json); --stack / --region override.',
    });
    const fromEnv = resolveAwsTarget({}, { AWS_REGION: "eu-central-1" }, project);
    expect(fromEnv.client).toEqual({});
    expect(fromEnv.note).toContain("in eu-central-1 (AWS_REGION)");
    const fromFlags = resolveAwsTarget(
      { stack: "S", region: "eu-north-1", profile: "ops" },
      { AWS_REGION: "eu-central-1" },
      project,
    );
    expect(fromFlags).toEqual({ stackName: "S", client: { region: "eu-north-1", profile: "ops" }, note: undefined });
    expect(resolveAwsTarget({}, {}, undefined)).toEqual({ stackName: "CoinmGuard", client: {}, note: undefined });
  });

  it("refuses a region no partition has, wherever it came from, and accepts new and non-aws-partition ones", () => {
    expect(() => resolveAwsTarget({ region: "eu-wset-1" }, {}, undefined)).toThrow(
      '--region: "eu-wset-1" is not an AWS region name (did you mean "eu-west-1"?)',
    );
    expect(() => resolveAwsTarget({}, { AWS_REGION: "Ireland" }, undefined)).toThrow(/^AWS_REGION: "Ireland"/);
    expect(() => resolveAwsTarget({}, {}, { region: "eu-west-9" })).toThrow(/^cdk\.json: "eu-west-9"/);
    for (const region of ["eusc-de-east-1", "cn-northwest-1", "us-gov-east-1", "ap-east-2"]) {
      expect(resolveAwsTarget({ region }, {}, undefined).client.region).toBe(region);
    }
  });

  it("status reads the stack and region cdk.json names, and says so", async () => {
    world.stack({ SnapshotTableName: "target-test", AccountSecrets: { main: "arn" } });
    world.clientRequests.length = 0;
    const deps = { ...world.deps(), projectDefaults: () => ({ stackName: "Guard2", region: "ap-northeast-1" }) };
    const r = await run(createStatusCommand(deps), [], deps);
    // The table, the stack and the topic's subscriptions: every client in cdk.json's region.
    expect(world.clientRequests.length).toBeGreaterThan(0);
    for (const request of world.clientRequests) expect(request).toEqual({ region: "ap-northeast-1" });
    expect(r.stderr).toContain('Using stack "Guard2" (cdk.json) in ap-northeast-1 (cdk.json)');
  });

  it("put-secret finds the secret through cdk.json's stack and region", async () => {
    const arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:Guard2/main-AbCdEf";
    world.knownSecrets.add(arn);
    world.stack({ AccountSecrets: { main: arn } });
    world.clientRequests.length = 0;
    const stdin = pipedStdin(JSON.stringify({ apiKey: "k".repeat(64), apiSecret: "s".repeat(64) }));
    const deps = {
      ...world.deps({ stdin }),
      projectDefaults: () => ({ stackName: "Guard2", region: "ap-northeast-1" }),
    };
    const r = await run(createPutSecretCommand(deps), ["--account", "main"], deps);
    expect(r.code).toBe(0);
    expect(world.clientRequests).toEqual([{ region: "ap-northeast-1" }]);
    expect(r.stderr).toContain('Using stack "Guard2" (cdk.json)');
    expect(world.secretWrites.at(-1)?.secretId).toBe(arn);
  });
});

describe("AWS profiles", () => {
  it("names a profile that is in neither file, and lists the ones that are", async () => {
    const config = join(dir, "config");
    const credentials = join(dir, "credentials");
    await writeFile(config, "[default]\nregion = eu-west-1\n[profile dev]\nregion=eu-west-1\n[sso-session corp]\n");
    await writeFile(credentials, "[ci]\naws_access_key_id = x\n");
    const env = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };
    expect(missingProfileProblem("dev", env)).toBeUndefined();
    expect(missingProfileProblem("ci", env)).toBeUndefined();
    expect(missingProfileProblem("prod", env)).toBe(
      `AWS profile "prod" does not exist in ${config} or ${credentials} (profiles there: ci, default, dev)`,
    );
    expect(missingProfileProblem("corp", env)).toContain('"corp" does not exist');
    expect(
      missingProfileProblem("prod", {
        AWS_CONFIG_FILE: join(dir, "none"),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
      }),
    ).toContain("no profiles there");
  });

  it("the CLI says the profile does not exist, in one line, before calling AWS", async () => {
    const config = join(dir, "config-only");
    await writeFile(config, "[profile dev]\nregion = eu-west-1\n");
    const r = await new Promise<{ code: number | null; stderr: string }>((done, fail) => {
      const child = spawn(
        join(REPO, "node_modules", ".bin", "tsx"),
        [join(REPO, "bin", "cli.ts"), "status", "--profile", "prod"],
        {
          cwd: dir,
          env: { ...process.env, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(dir, "none") },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
      });
      child.on("error", fail);
      child.on("close", (code) => done({ code, stderr }));
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `coinm-guard status: AWS profile "prod" does not exist in ${config} or ${join(dir, "none")} (profiles there: dev)\n`,
    );
  });
});
