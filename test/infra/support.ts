/**
 * Test helpers: build the app exactly as `cdk synth` does (cdk.json's context, buildApp), with
 * config overrides, and read the results. Bundling is skipped unless asked for: only the test
 * that inspects the Lambda asset needs esbuild to run.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { type BuildOptions, buildApp } from "../../infra/build.js";
import { CONTEXT_KEY, type DeployConfig } from "../../infra/config/index.js";
import type { CoinmGuardStack } from "../../infra/stack.js";

export const REPO_ROOT = join(import.meta.dirname, "..", "..");

/** cdk.json's context: feature flags plus the shipped config. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(REPO_ROOT, "cdk.json"), "utf8")).context;
}

/** The config shipped in cdk.json (what a first deploy uses). */
export function shippedConfig(): Record<string, unknown> {
  return { ...(cdkJsonContext()[CONTEXT_KEY] as Record<string, unknown>) };
}

/**
 * cdk.json ships with no recipients, and synth refuses a stack that alerts nobody; tests that are
 * not about recipients synthesize with this one email unless they set their own.
 */
export const TEST_RECIPIENTS = { emails: ["alerts@example.com"] } as const;

export interface Synth {
  readonly app: App;
  readonly stack: CoinmGuardStack;
  readonly config: DeployConfig;
  readonly template: Template;
}

export function synth(
  overrides: Record<string, unknown> = {},
  options: BuildOptions & { bundle?: boolean } = {},
): Synth {
  const context: Record<string, unknown> = {
    ...cdkJsonContext(),
    [CONTEXT_KEY]: { ...shippedConfig(), ...TEST_RECIPIENTS, ...overrides },
  };
  // An empty bundling-stacks list makes CDK skip asset bundling (as `cdk deploy --exclusively` does).
  if (!options.bundle) context["aws:cdk:bundling-stacks"] = [];
  const app = new App({ context });
  const { stack, config } = buildApp(app, options);
  return { app, stack, config, template: Template.fromStack(stack) };
}

export type Json = unknown;

/**
 * Resolve a Fn::Join of strings and references into one string, writing references as
 * `${LogicalId}` / `${LogicalId.Attr}`, so JSON built at deploy time can be parsed in a test.
 */
export function joinToString(value: Json): string {
  if (typeof value === "string") return value;
  const v = value as Record<string, Json>;
  if (v.Ref !== undefined) return `\${${String(v.Ref)}}`;
  if (Array.isArray(v["Fn::GetAtt"])) return `\${${(v["Fn::GetAtt"] as string[]).join(".")}}`;
  if (Array.isArray(v["Fn::Join"])) {
    const [sep, parts] = v["Fn::Join"] as [string, Json[]];
    return parts.map(joinToString).join(sep);
  }
  throw new Error(`cannot flatten ${JSON.stringify(value)}`);
}

/** Logical id of the only resource of `type` in the template. */
export function onlyLogicalId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0] as string;
}

type PolicyProperties = { Roles?: Json[]; PolicyDocument: { Statement: Record<string, Json>[] } };

/** Inline policies, then customer-managed ones (the account secrets: MonitorFunction), in template order. */
function policies(template: Template): PolicyProperties[] {
  return ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"].flatMap((type) =>
    Object.values(template.findResources(type)).map((p) => (p as { Properties: PolicyProperties }).Properties),
  );
}

/** All statements of all IAM policies attached to roles in the stack (inline and customer-managed). */
export function roleStatements(template: Template): Record<string, Json>[] {
  return policies(template).flatMap((p) => p.PolicyDocument.Statement);
}

/** Logical id of the only resource of `type` whose id starts with `prefix` (the construct path). */
export function logicalIdStartingWith(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} under ${prefix}, found ${ids.length}`);
  return ids[0] as string;
}

/** The statements of the IAM policies attached to one role: inline first, then customer-managed. */
export function statementsOfRole(template: Template, roleId: string): Record<string, Json>[] {
  return policies(template)
    .filter((p) => JSON.stringify(p.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.PolicyDocument.Statement);
}

/** The monitor function's environment variables, as the template has them. */
export function monitorVariables(template: Template): Record<string, Json> {
  const fnId = logicalIdStartingWith(template, "AWS::Lambda::Function", "MonitorFunction");
  const fn = template.findResources("AWS::Lambda::Function")[fnId] as {
    Properties: { Environment: { Variables: Record<string, Json> } };
  };
  return fn.Properties.Environment.Variables;
}
