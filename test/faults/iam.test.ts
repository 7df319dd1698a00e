/**
 * The monitor's IAM policy against what its code really calls. test/infra (owned with infra/)
 * pins the statements and runs cdk-nag; this test closes the loop from the other side: every
 * AWS action the cycle performs on the fault paths must be allowed (a missing one would fail
 * in production only), and nothing beyond those may be allowed except the pinned, reported
 * extras. Actions are recorded from the SDK clients while cycles run against the stand-ins.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../infra/build.js";
import { ACCOUNT_PATH } from "../../lib/binance/client.js";
import { accountBody, btcAtRatio } from "../../sim/account-fixtures.js";
import { hmacKey, minute } from "../support/harness.js";
import { type FaultBackend, SDK_ATTEMPTS, startFaultBackend, startRig } from "./support/rig.js";

/** Allowed but not called by the Lambda: none. The role is exactly what the cycle calls. */
const KNOWN_UNUSED = new Set<string>();

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let backend: FaultBackend;
let template: Template;
beforeAll(async () => {
  backend = await startFaultBackend();
  const context = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "cdk.json"), "utf8")).context as Record<
    string,
    unknown
  >;
  // An empty bundling-stacks list skips esbuild; the bundle has its own test (bundle.test.ts).
  // cdk.json ships with no recipients, which synth refuses; one email makes it deployable.
  const config = { ...(context["coinm-guard"] as Record<string, unknown>), emails: ["alerts@example.com"] };
  const app = new App({ context: { ...context, "coinm-guard": config, "aws:cdk:bundling-stacks": [] } });
  template = Template.fromStack(buildApp(app, { securityChecks: false }).stack);
});
afterAll(() => backend.stop());

/** The statements attached to the role of the function whose logical id starts with `prefix`. */
function roleStatements(prefix: string): Statement[] {
  const fns = Object.entries(template.findResources("AWS::Lambda::Function")).filter(([id]) => id.startsWith(prefix));
  expect(fns).toHaveLength(1);
  const [, fn] = fns[0] ?? [];
  const role = (fn as { Properties: { Role: { "Fn::GetAtt": [string, string] } } } | undefined)?.Properties.Role[
    "Fn::GetAtt"
  ][0];
  if (!role) throw new Error(`no role for ${prefix}`);
  // Inline policies and the customer-managed ones that attach themselves to the role (the
  // account secrets: infra/constructs/monitor-function.ts).
  return ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"]
    .flatMap((type) => Object.values(template.findResources(type)))
    .map((p) => (p as { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } } }).Properties)
    .filter((p) => JSON.stringify(p.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap((p) => p.PolicyDocument.Statement);
}

const actionsOf = (statements: Statement[]) => new Set(statements.flatMap((s) => [s.Action].flat()));

describe("the monitor role allows exactly what the monitor calls", () => {
  it("every action the cycle performs on its normal and fault paths is allowed; nothing else but the pinned extras", async () => {
    // Prepare: paths that between them use every store and publish operation.
    const main = hmacKey("main");
    const rotated = hmacKey("rotated");
    let ratio = 0.2;
    const rig = await startRig(backend, { keys: [main, rotated], account: () => accountBody([btcAtRatio(ratio)]) });
    try {
      const monitor = rig.monitor();
      await monitor.run(minute(0));
      ratio = 0.85;
      rig.h.aws.failNextPublish({ status: 500, code: "InternalError" }, 2 * SDK_ATTEMPTS); // released, retried
      await monitor.run(minute(1));
      await Promise.all([rig.monitor().run(minute(2)), rig.monitor().run(minute(2))]); // duplicate delivery
      rig.h.exchange.injectFault(
        { kind: "status", status: 401, body: '{"code":-2015,"msg":"Invalid API-key."}' },
        { apiKey: rotated.exchangeKey.apiKey, path: ACCOUNT_PATH },
      );
      await monitor.run(minute(3)); // refused key: the secret is read again
      // Act
      const used = [...rig.awsCalls].sort();
      const statements = roleStatements("MonitorFunction");
      const allowed = actionsOf(statements);
      // Assess
      expect(used).toEqual([
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "secretsmanager:GetSecretValue",
        "sns:Publish",
      ]);
      for (const action of used) expect(allowed, `${action} is called but not allowed`).toContain(action);
      const extras = [...allowed].filter((a) => !used.includes(a) && !a.startsWith("logs:"));
      for (const extra of extras) expect(KNOWN_UNUSED, `${extra} is allowed but never called`).toContain(extra);
      expect(statements.every((s) => s.Effect === "Allow")).toBe(true);
    } finally {
      await rig.stop();
    }
  });

  it("names each resource it may touch by reference to this stack's own resources, never a wildcard", () => {
    const resourceIds = new Set(Object.keys(template.toJSON().Resources as Record<string, unknown>));
    for (const prefix of ["MonitorFunction", "AlarmRelayFunction"]) {
      for (const statement of roleStatements(prefix)) {
        for (const resource of [statement.Resource].flat()) {
          // { Ref: id } or { "Fn::GetAtt": [id, "Arn"] } of a resource defined in the template.
          const ref = resource as { Ref?: string; "Fn::GetAtt"?: [string, string] };
          const target = ref.Ref ?? ref["Fn::GetAtt"]?.[0];
          expect(typeof resource, `${prefix}: ${JSON.stringify(resource)}`).toBe("object");
          expect(resourceIds, `${prefix}: ${JSON.stringify(resource)}`).toContain(target);
        }
      }
    }
    // The alarm relay only writes its logs and publishes.
    expect([...actionsOf(roleStatements("AlarmRelayFunction"))].sort()).toEqual([
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "sns:Publish",
    ]);
  });
});
