/**
 * The account list against what one stack can hold (infra/stack-limits.ts): Binance's weight per
 * IP and the IAM policies that grant the secrets. Refused here, at synth, with what to do instead.
 * The 500-resource limit is checked on the built stack (infra/stack.ts), where every resource is known.
 */
import { ACCOUNT_READ_WEIGHT } from "../../lib/binance/client.js";
import { DEFAULTS } from "../../lib/config.js";
import {
  accountGrants,
  MANAGED_POLICIES_PER_ROLE,
  MANAGED_POLICY_CHARS,
  MAX_ACCOUNTS,
  packGrants,
  secretArnChars,
  secretKey,
} from "../stack-limits.js";
import type { Reader } from "./reader.js";
import type { DeployAccount, Target } from "./types.js";

const SPLIT = "split the accounts across two stacks with different stackName values (docs/scaling.md)";

/** IAM managed policies the monitor's role needs for these accounts' secrets and keys. */
export function accountPolicyCount(accounts: readonly DeployAccount[], target: Target): number {
  const sources = accounts.map((a) => ({
    policyKey: secretKey(a),
    policyResource: "",
    policyChars: secretArnChars(a, target),
    kmsKeyArn: a.secret.kind === "create" ? undefined : a.secret.kmsKeyArn,
  }));
  return packGrants(accountGrants(sources)).length;
}

export function checkAccountLimits(r: Reader, accounts: readonly DeployAccount[], target: Target): void {
  if (accounts.length > MAX_ACCOUNTS) {
    r.problem(
      "accounts",
      `${accounts.length} accounts are more than one IP can read: Binance allows ${DEFAULTS.weightLimitPerMinute} ` +
        `request weight a minute and each read costs ${ACCOUNT_READ_WEIGHT}, so at most ${MAX_ACCOUNTS} accounts a stack ` +
        `(the rest would be deferred every run); ${SPLIT}`,
    );
  }
  const policies = accountPolicyCount(accounts, target);
  if (policies > MANAGED_POLICIES_PER_ROLE) {
    r.problem(
      "accounts",
      `the accounts' secrets need ${policies} IAM policies of ${MANAGED_POLICY_CHARS} characters to grant each ` +
        `exactly, and a role takes ${MANAGED_POLICIES_PER_ROLE}: keep several accounts' keys in one secret ` +
        `("secretName": "name#account"), use shorter names, or ${SPLIT}`,
    );
  }
}
