/**
 * What synth hands the stack: the deploy config's shape and its defaults. Everything here is
 * already validated (infra/config/resolve.ts builds it); constructs read these types only.
 */
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Severity } from "../../lib/alerts/attributes.js";
import type { MarginMode } from "../../lib/binance/portfolio/recognise.js";
import type { ChatChannel } from "../../lib/chat/channels.js";
import type { LevelOverrides } from "../../lib/risk/level-overrides.js";
import type { AlertTopicKey } from "../constructs/alert-topic.js";
import type { MonitorSettings } from "../environment.js";
import type { ParsedSchedule } from "../schedule.js";

/** Where an account's API key lives. */
export type SecretSource =
  /** A new secret with no value, named `<stackName>/<account>`, for the user to fill after deploy. */
  | { readonly kind: "create"; readonly secretName: string }
  /**
   * An existing secret in the stack's account and region, by name (its ARN suffix is unknown).
   * `jsonKey`: the account's entry in a secret shared by several accounts (`"name#key"`).
   */
  | {
      readonly kind: "name";
      readonly secretName: string;
      readonly kmsKeyArn: string | undefined;
      readonly jsonKey?: string;
    }
  /** An existing secret by complete ARN, optionally with `#key` as above. */
  | {
      readonly kind: "arn";
      readonly secretArn: string;
      readonly kmsKeyArn: string | undefined;
      readonly jsonKey?: string;
    };

/** A chat channel and the existing secret that holds its token or webhook URL. */
export interface DeployChatChannel {
  /** The channel as the relay reads it; `secretId` is filled in by the stack (ARN or name). */
  readonly channel: Omit<ChatChannel, "secretId">;
  readonly secret:
    | { readonly kind: "name"; readonly secretName: string }
    | { readonly kind: "arn"; readonly secretArn: string };
}

export interface DeployAccount {
  readonly name: string;
  readonly secret: SecretSource;
  /** The account's own levels, and per asset or symbol (lib/risk/level-overrides.ts). */
  readonly levels?: LevelOverrides;
  /** false: never read this account's USD-M book. @default true */
  readonly usdm?: boolean;
  /** "classic" or "portfolio": skip the Portfolio Margin probe (lib/binance/portfolio/recognise.ts). */
  readonly margin?: MarginMode;
}

export interface DeployConfig extends MonitorSettings {
  readonly stackName: string;
  readonly region: string;
  readonly allowUsRegion: boolean;
  readonly accounts: readonly DeployAccount[];
  readonly schedule: ParsedSchedule;
  /** Window of the "no heartbeat" alarm. */
  readonly heartbeatWindowMinutes: number;
  readonly logRetentionDays: RetentionDays;
  readonly emails: readonly string[];
  readonly phoneNumbers: readonly string[];
  /** The least severe alert email receives (lib/alerts/attributes.ts); "ok" = everything. */
  readonly emailMinSeverity: Severity;
  /** The least severe alert SMS receives; SMS costs per message, so critical by default. */
  readonly smsMinSeverity: Severity;
  readonly chat: readonly DeployChatChannel[];
  readonly dashboard: boolean;
  /** KMS key of the alert topic: SNS's free AWS-managed key, or a customer-managed one ($1/month). */
  readonly alertTopicKey: AlertTopicKey;
}

export const DEPLOY_DEFAULTS = {
  stackName: "CoinmGuard",
  // Any non-US region works (Binance answers 451 to US ones); latency to Binance does not matter
  // for a monitor that runs once a minute.
  region: "eu-west-1",
  schedule: "rate(1 minute)",
  logRetentionDays: RetentionDays.ONE_MONTH,
  logLevel: "info",
  alertTopicKey: "aws-managed",
  emailMinSeverity: "ok",
  smsMinSeverity: "critical",
} as const;

/** Facts about the target known outside the config. */
export interface ResolveOptions {
  /** Target account id (CDK_DEFAULT_ACCOUNT); undefined when synthesizing without credentials. */
  readonly account?: string;
}

/** Where the stack will be: what secret names and ARNs are checked against. */
export interface Target {
  readonly stackName: string;
  readonly region: string;
  readonly account: string | undefined;
}
