/**
 * Security review by cdk-nag's AwsSolutions pack: zero findings left unacknowledged, each
 * acknowledgment carries a written reason, and the set of acknowledgments is pinned here so a
 * new one shows up in review. cdk-nag 3 is a policy-validation plugin, so these tests also check
 * that it really runs (and would fail the synth) rather than passing vacuously.
 */
import { App, Stack, Validations } from "aws-cdk-lib";
import { CfnSecret } from "aws-cdk-lib/aws-secretsmanager";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { describe, expect, it } from "vitest";
import { synth } from "./support.js";

function findings(root: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(root);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
}

function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^annotation::/i, ""),
          reason,
        })),
      ),
  );
}

const KEYED_CONFIG = {
  accounts: [
    { name: "main", createSecret: true },
    {
      name: "alt",
      secretName: "binance/alt",
      secretKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    },
  ],
  emails: ["ops@example.com"],
  phoneNumbers: ["+447700900123"],
  alertTopicKey: "customer-managed",
};

describe("AwsSolutions checks", () => {
  it("find nothing unacknowledged in the shipped config", () => {
    expect(findings(synth({}, { securityChecks: false }).app)).toEqual([]);
  });

  it("find nothing unacknowledged with imported secrets, a CMK and subscribers", () => {
    expect(findings(synth(KEYED_CONFIG, { securityChecks: false }).app)).toEqual([]);
  });

  it("acknowledge exactly these findings, each with a reason", () => {
    const acks = acknowledgments(synth({}, { securityChecks: false }).app);
    expect(acks.map((a) => `${a.id} at ${a.path}`).sort()).toEqual([
      "AwsSolutions-SMG4 at CoinmGuard/Secrets/Secret-main",
      "AwsSolutions-SQS3 at CoinmGuard/Schedule/DeadLetterQueue",
    ]);
    for (const ack of acks) expect(ack.reason.length, `${ack.id} needs a real reason`).toBeGreaterThan(60);
  });

  it("need no acknowledgment for topic encryption, with either key", () => {
    for (const config of [{}, KEYED_CONFIG]) {
      const acks = acknowledgments(synth(config, { securityChecks: false }).app).map((a) => a.id);
      expect(acks).not.toContain("AwsSolutions-SNS2");
    }
  });
});

describe("the checks are live", () => {
  it("report a finding on an unacknowledged resource (not vacuous)", () => {
    const app = new App();
    const stack = new Stack(app, "Probe");
    new CfnSecret(stack, "Secret", {});
    expect(findings(app)).toEqual(["AwsSolutions-SMG4 at Probe/Secret"]);
  });

  it("fail the synth of the app built by buildApp when a finding is not acknowledged", () => {
    const { app, stack } = synth();
    // A queue without TLS enforcement (SQS4) and without a DLQ (SQS3).
    new Queue(stack, "Unreviewed", { enforceSSL: false });
    expect(() => app.synth({ force: true })).toThrow(/AwsSolutions-SQS4/);
  });
});
