/**
 * One Secrets Manager secret per monitored account: created empty for the user to fill, or an
 * existing one imported by name or ARN. For each it works out the id the Lambda passes to
 * GetSecretValue and the exact resource ARN that IAM should allow, which differ for a secret
 * known only by name.
 */
import { ArnFormat, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { CfnSecret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { formatSecretRef } from "../../lib/keys/secret-ref.js";
import type { DeployAccount } from "../config/index.js";
import { type SecretGrantSource, secretArnChars, secretKey } from "../stack-limits.js";

export interface AccountSecret extends SecretGrantSource<string> {
  /** Account alias, as in the account list. */
  readonly name: string;
  /** The secret for the CLI (the AccountSecrets output): the ARN when known, otherwise the name; `#key` for a shared secret's entry. */
  readonly secretId: string;
  /**
   * What the Lambda passes as SecretId, known at synth because the account list is written into
   * the function's asset before deploy: a created secret's name (`<stackName>/<account>`, its
   * ARN is only known after), otherwise `secretId`. GetSecretValue resolves a name in the
   * function's own account and region; IAM still allows the exact ARN.
   */
  readonly readId: string;
  /** Resource for secretsmanager:GetSecretValue: exactly this secret and nothing else. */
  readonly policyResource: string;
  /** Customer-managed key encrypting the secret, if the user named one. */
  readonly kmsKeyArn: string | undefined;
}

export interface AccountSecretsProps {
  /** Accounts from the deploy config, each with its secret source. */
  readonly accounts: readonly DeployAccount[];
}

export class AccountSecrets extends Construct {
  readonly secrets: readonly AccountSecret[];

  constructor(scope: Construct, id: string, props: AccountSecretsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.secrets = props.accounts.map((account) => ({
      ...this.secretFor(account),
      policyKey: secretKey(account),
      policyChars: secretArnChars(account, { stackName: stack.stackName, region: stack.region }),
    }));
  }

  private secretFor(account: DeployAccount): Omit<AccountSecret, "policyKey" | "policyChars"> {
    const source = account.secret;
    switch (source.kind) {
      case "create": {
        // The L1 resource on purpose: the L2 Secret always generates a random value, and a random
        // string in place of the key JSON would read as "malformed secret" rather than "not filled
        // in yet". Without SecretString or GenerateSecretString, CloudFormation creates the secret
        // with no value at all.
        const secret = new CfnSecret(this, `Secret-${account.name}`, {
          name: source.secretName,
          description: `coinm-guard: Binance API key for account "${account.name}" (JSON: apiKey plus apiSecret or privateKey)`,
        });
        // The key outlives the stack: `cdk destroy` must not delete a credential the user set up
        // by hand. docs/deploy.md says how to delete it deliberately.
        secret.applyRemovalPolicy(RemovalPolicy.RETAIN);
        Validations.of(secret).acknowledge({
          id: "AwsSolutions-SMG4",
          reason:
            "A Binance API key cannot be rotated by a Secrets Manager rotation Lambda: a new key is issued " +
            "in the Binance web UI (with 2FA) by the account owner, then put into this secret.",
        });
        return {
          name: account.name,
          secretId: secret.ref,
          readId: source.secretName,
          policyResource: secret.ref,
          kmsKeyArn: undefined,
        };
      }
      case "arn": {
        const secretId = formatSecretRef({ secretId: source.secretArn, jsonKey: source.jsonKey });
        return {
          name: account.name,
          secretId,
          readId: secretId,
          policyResource: source.secretArn,
          kmsKeyArn: source.kmsKeyArn,
        };
      }
      case "name": {
        // A secret's ARN is its name plus "-" and 6 random characters, unknown until read. "-??????"
        // ("?" = exactly one character) matches this secret only; "name*" would also match
        // "name-other", a different secret. GetSecretValue accepts the plain name, resolved in the
        // function's own account and region.
        const policyResource = Stack.of(this).formatArn({
          service: "secretsmanager",
          resource: "secret",
          resourceName: `${source.secretName}-??????`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        });
        const secretId = formatSecretRef({ secretId: source.secretName, jsonKey: source.jsonKey });
        return {
          name: account.name,
          secretId,
          readId: secretId,
          policyResource,
          kmsKeyArn: source.kmsKeyArn,
        };
      }
    }
  }

  /** name -> id the CLI and the user can pass to Secrets Manager (the ARN when known). */
  outputMap(): Record<string, string> {
    return Object.fromEntries(this.secrets.map((s) => [s.name, s.secretId]));
  }
}
