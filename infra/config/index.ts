/**
 * The deploy configuration (cdk.json's `"coinm-guard"` block), checked at synth. Import from here;
 * the files beside it each read one part:
 * - context.ts: cdk.json's block and a `-c coinm-guard='{...}'` override merged over it
 * - reader.ts: the typed reader that collects every problem, and DeployConfigError
 * - resolve.ts: resolveConfig, which assembles the parts in order
 * - accounts.ts: the account list and each account's secret source
 * - limits.ts: whether one stack holds the accounts (Binance weight, IAM policy size)
 * - levels.ts: alert and distance levels, global and per account (the core's parsers)
 * - recipients.ts: emails, phone numbers, chat channels, severities
 * - settings.ts: schedule, heartbeat, logging, fast polling, topic key, the core loader's check
 * - types.ts: DeployConfig and the types constructs read, with the defaults
 */
export { configFromContext, configWithOverride, mergeOverride } from "./context.js";
export { CONTEXT_KEY, DeployConfigError } from "./reader.js";
export { resolveConfig } from "./resolve.js";
export {
  DEPLOY_DEFAULTS,
  type DeployAccount,
  type DeployChatChannel,
  type DeployConfig,
  type ResolveOptions,
  type SecretSource,
} from "./types.js";
