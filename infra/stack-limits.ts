/**
 * The limits one stack's accounts must fit, worked out at synth from the config alone, so synth
 * refuses a config that would fail at deploy (or read some accounts never) and says why. The
 * config check (infra/config/limits.ts) and the constructs share these figures and estimates:
 * what synth promises is what the constructs build.
 *
 * - Binance: 2,400 request weight a minute per IP, 6 per account read: 400 accounts.
 * - IAM: a customer-managed policy holds 6,144 characters (whitespace not counted) and a role
 *   takes 10 of them (the default quota); a role's inline policies hold 10,240 in all, too few
 *   for 400 exact secret ARNs. So the account secrets go in managed policies (monitor-function.ts).
 * - CloudFormation: 500 resources a stack (checked exactly on the built stack, infra/stack.ts).
 */
import { ACCOUNT_READ_WEIGHT } from "../lib/binance/client.js";
import { DEFAULTS } from "../lib/config.js";
import type { DeployAccount } from "./config/types.js";

/** Accounts one IP can read each minute: 2,400 / 6 = 400. Past it the governor defers the rest every run. */
export const MAX_ACCOUNTS = Math.floor(DEFAULTS.weightLimitPerMinute / ACCOUNT_READ_WEIGHT);

/**
 * Accounts that leave 10% of the weight for retries, time syncs and re-reads at risk
 * (docs/scaling.md: 360). Past it synth warns; past MAX_ACCOUNTS it refuses.
 */
export const PLANNED_ACCOUNTS = Math.floor((0.9 * DEFAULTS.weightLimitPerMinute) / ACCOUNT_READ_WEIGHT);

/** Characters of one customer-managed IAM policy document, whitespace not counted. */
export const MANAGED_POLICY_CHARS = 6144;

/** Managed policies one role can have attached (IAM's default quota; it can be raised to 20). */
export const MANAGED_POLICIES_PER_ROLE = 10;

/** Resources in one CloudFormation stack. */
export const MAX_STACK_RESOURCES = 500;

/**
 * Room kept in each managed policy for what the estimate may miss (IAM's own rendering of the
 * document). The Version, statements, Sids, actions and every resource are counted below.
 */
const POLICY_SLACK = 144;

/** `{"Version":"2012-10-17","Statement":[]}` */
const DOCUMENT_CHARS = 39;

/** One statement's fixed text: Sid, Effect, Action, the Resource brackets and, for keys, the condition. */
const STATEMENT_CHARS = {
  secrets: '{"Sid":"AccountSecrets","Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":[]},'.length,
  keys: '{"Sid":"AccountSecretKeys","Effect":"Allow","Action":"kms:Decrypt","Resource":[],"Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.ap-southeast-12.amazonaws.com"}}},'
    .length,
} as const;

export type GrantKind = keyof typeof STATEMENT_CHARS;

/** One resource the monitor's role is granted: a secret (GetSecretValue) or its KMS key (Decrypt). */
export interface Grant<T> {
  readonly kind: GrantKind;
  readonly resource: T;
  /** Characters of the resource in the deployed document. */
  readonly chars: number;
}

/** What the monitor needs granted for one account's secret. */
export interface SecretGrantSource<T> {
  /** Same key = same secret, granted once (accounts sharing a secret). */
  readonly policyKey: string;
  readonly policyResource: T;
  /** Upper estimate of `policyResource`'s length once deployed (secretArnChars). */
  readonly policyChars: number;
  readonly kmsKeyArn: string | undefined;
}

/** Where an account's secret is, as a dedup key: the same secret named twice is granted once. */
export function secretKey(account: DeployAccount): string {
  const s = account.secret;
  return s.kind === "arn" ? `arn:${s.secretArn}` : `name:${s.secretName}`;
}

/** The partition of a region's ARNs (aws-cn, aws-us-gov are longer than aws). */
function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/**
 * Upper estimate of the ARN IAM sees for an account's secret once deployed: a created secret's
 * ARN (its Ref) and a by-name secret's "name-??????" pattern both end in 7 characters after the name.
 */
export function secretArnChars(account: DeployAccount, target: { stackName: string; region: string }): number {
  const s = account.secret;
  if (s.kind === "arn") return s.secretArn.length;
  return `arn:${partitionOf(target.region)}:secretsmanager:${target.region}:123456789012:secret:${s.secretName}-XXXXXX`
    .length;
}

/** The monitor's grants for these accounts: each secret once, then each customer-managed key once. */
export function accountGrants<T>(sources: readonly SecretGrantSource<T>[]): Grant<T | string>[] {
  const secrets = new Map<string, Grant<T>>();
  for (const s of sources) {
    if (!secrets.has(s.policyKey))
      secrets.set(s.policyKey, { kind: "secrets", resource: s.policyResource, chars: s.policyChars });
  }
  const keys = [...new Set(sources.flatMap((s) => (s.kmsKeyArn ? [s.kmsKeyArn] : [])))];
  return [...secrets.values(), ...keys.map((k) => ({ kind: "keys" as const, resource: k, chars: k.length }))];
}

/**
 * Pack grants, in order, into as few managed policies as hold them, one statement per kind in
 * each policy. Each resource costs its characters, two quotes and a comma.
 */
export function packGrants<T>(grants: readonly Grant<T>[]): Grant<T>[][] {
  const budget = MANAGED_POLICY_CHARS - POLICY_SLACK - DOCUMENT_CHARS;
  const policies: Grant<T>[][] = [];
  let current: Grant<T>[] = [];
  let used = 0;
  const cost = (g: Grant<T>, into: readonly Grant<T>[]) =>
    g.chars + 3 + (into.some((o) => o.kind === g.kind) ? 0 : STATEMENT_CHARS[g.kind]);
  for (const grant of grants) {
    if (current.length > 0 && used + cost(grant, current) > budget) {
      policies.push(current);
      current = [];
      used = 0;
    }
    used += cost(grant, current);
    current.push(grant);
  }
  if (current.length > 0) policies.push(current);
  return policies;
}
