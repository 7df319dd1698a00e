/**
 * Builds the app from its context: reads and validates the config, creates the stack, and turns
 * on the AwsSolutions security checks. Shared by the CDK entry point and the tests, so the tests
 * exercise exactly what `cdk synth` runs.
 */
import { type App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { CONTEXT_KEY, configWithOverride, type DeployConfig, resolveConfig } from "./config/index.js";
import { CoinmGuardStack } from "./stack.js";

export interface BuildOptions {
  /** Target account (CDK_DEFAULT_ACCOUNT); undefined is fine for synth. */
  readonly account?: string;
  /**
   * Run cdk-nag's AwsSolutions pack at synth; a finding without a written acknowledgment fails it.
   * @default true
   */
  readonly securityChecks?: boolean;
  /**
   * cdk.json's "coinm-guard" block as the file has it, for merging a `-c coinm-guard='{...}'`
   * override over it (the CLI passes the override instead of the file's value).
   * @default - no merge: the context value is the whole config
   */
  readonly fileConfig?: unknown;
}

export interface Built {
  readonly config: DeployConfig;
  readonly stack: CoinmGuardStack;
}

export function buildApp(app: App, options: BuildOptions = {}): Built {
  const raw = configWithOverride(app.node.tryGetContext(CONTEXT_KEY), options.fileConfig);
  const config = resolveConfig(raw, { account: options.account });
  const stack = new CoinmGuardStack(app, config.stackName, {
    config,
    env: { region: config.region, account: options.account },
  });
  Tags.of(stack).add("project", "coinm-guard");
  if (options.securityChecks ?? true) {
    // cdk-nag 3 is a policy-validation plugin (not an Aspect): it runs after synthesis and fails
    // it on any finding not acknowledged with Validations.of(construct).acknowledge({ id, reason }).
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  return { config, stack };
}
