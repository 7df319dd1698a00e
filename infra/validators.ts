/**
 * Checks for the deploy-only settings (things the Lambda never reads: region, subscribers,
 * secret references). Each returns a problem sentence or undefined, so the config loader can
 * report every problem in one run instead of one per synth.
 */

import { RegionInfo } from "aws-cdk-lib/region-info";

export type Problem = string | undefined;

/**
 * The regions this CDK version knows, in every partition (aws, aws-cn, aws-us-gov, the ISO and
 * sovereign ones). The CLI uses the same list; its bundle carries the names only (bin/build-cli.mjs).
 */
export function knownRegions(): readonly string[] {
  return RegionInfo.regions.map((r) => r.name);
}

/** Edit distance, for "did you mean" on a misspelt region. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        (row[j] ?? 0) + 1,
        (next[j - 1] ?? 0) + 1,
        (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/** A problem when `region` is not a region the CDK knows, with the closest names as a hint. */
export function checkRegionName(region: string): Problem {
  const regions = knownRegions();
  if (regions.includes(region)) return undefined;
  const close = regions.filter((r) => distance(r, region.toLowerCase()) <= 2);
  return (
    `"${region}" is not an AWS region name` +
    (close.length ? ` (did you mean ${close.map((r) => `"${r}"`).join(" or ")}?)` : ' (e.g. "eu-west-1")') +
    "; if AWS opened it after this version of aws-cdk-lib, update aws-cdk-lib"
  );
}

/**
 * Binance answers HTTP 451 to requests from the US, AWS US regions included, so a monitor
 * deployed there can read nothing. A proxy outside the US (binanceBaseUrl) is the one setup
 * in which a US region works; `allowUsRegion` says the user has one.
 */
export function checkRegion(region: string, allowUsRegion: boolean): Problem {
  const unknown = checkRegionName(region);
  if (unknown) return unknown;
  if (region.startsWith("us-") && !allowUsRegion) {
    return (
      `"${region}" is a US region, and Binance refuses requests from US IP addresses (HTTP 451), ` +
      'so the monitor could not read any account. Choose a non-US region such as "eu-west-1", ' +
      '"eu-central-1" or "ap-northeast-1". If Binance traffic goes through a proxy outside the US ' +
      '(set "binanceBaseUrl"), set "allowUsRegion": true to deploy here anyway.'
    );
  }
  return undefined;
}

// Deliberately loose: SNS sends a confirmation message, which is the real check. This one
// catches typos such as a missing "@" or a stray space before they become a stuck subscription.
const EMAIL = /^[^\s@"<>,;]+@[^\s@"<>,;]+\.[A-Za-z]{2,}$/;

export function checkEmail(email: string): Problem {
  if (email.length > 254 || !EMAIL.test(email)) return `"${email}" is not an email address`;
  return undefined;
}

// SNS takes SMS numbers in E.164 only: "+", country code, subscriber number, 15 digits at most.
const E164 = /^\+[1-9]\d{6,14}$/;

export function checkPhoneNumber(phone: string): Problem {
  if (!E164.test(phone)) {
    return `"${phone}" is not an E.164 phone number: "+", country code and number, digits only (e.g. "+447700900123")`;
  }
  return undefined;
}

// Secrets Manager's own naming rule.
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

export function checkSecretName(name: string): Problem {
  if (!SECRET_NAME.test(name)) return `"${name}" is not a Secrets Manager secret name (letters, digits and /_+=.@-)`;
  return undefined;
}

const SECRET_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):secretsmanager:([a-z0-9-]+):(\d{12}):secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;

/**
 * A complete secret ARN ends in "-" and the 6 random characters Secrets Manager appends. It must
 * be in the stack's region (the monitor's client calls that region only) and, when the target
 * account is known, in that account (cross-account reads need a resource policy and a
 * customer-managed key, which this stack does not set up).
 */
export function checkSecretArn(arn: string, region: string, account: string | undefined): Problem {
  const m = SECRET_ARN.exec(arn);
  if (!m) {
    return (
      `"${arn}" is not a complete secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX); ` +
      'copy it from the console, or use "secretName" if you only know the name'
    );
  }
  if (m[2] !== region) return `secret is in region ${m[2]} but the stack deploys to ${region}`;
  if (account !== undefined && m[3] !== account) {
    return `secret is in account ${m[3]} but the stack deploys to ${account}; cross-account secrets are not supported`;
  }
  return undefined;
}

const KMS_KEY_ARN = /^arn:(aws|aws-cn|aws-us-gov):kms:([a-z0-9-]+):(\d{12}):key\/[0-9a-f-]{36}$/;

export function checkKmsKeyArn(arn: string, region: string): Problem {
  const m = KMS_KEY_ARN.exec(arn);
  if (!m) return `"${arn}" is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID; aliases are not accepted)`;
  if (m[2] !== region) return `key is in region ${m[2]} but the stack deploys to ${region}`;
  return undefined;
}

// CloudFormation's rule for stack names.
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

export function checkStackName(name: string): Problem {
  if (!STACK_NAME.test(name)) return `"${name}" is not a stack name (a letter, then letters, digits and "-")`;
  return undefined;
}
