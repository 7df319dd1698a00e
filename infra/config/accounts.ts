/**
 * The `accounts` list: names (the core's parser), where each key lives, and each account's level
 * overrides, and whether one stack can hold them (limits.ts). The stack turns these into secrets,
 * IAM policies and the account list the Lambda reads (accounts.json in its asset).
 */

import { MARGIN_MODES } from "../../lib/binance/portfolio/recognise.js";
import { parseAccounts } from "../../lib/config.js";
import { parseSecretRef } from "../../lib/keys/secret-ref.js";
import { LEVEL_OVERRIDE_KEYS, type LevelOverrides, parseLevelOverrides } from "../../lib/risk/level-overrides.js";
import { checkKmsKeyArn, checkSecretArn, checkSecretName } from "../validators.js";
import { checkAccountLimits } from "./limits.js";
import { isObject, type Obj, type Reader } from "./reader.js";
import type { DeployAccount, SecretSource, Target } from "./types.js";

const ACCOUNT_KEYS = [
  "name",
  "createSecret",
  "secretName",
  "secretArn",
  "secretKmsKeyArn",
  "usdm",
  "margin",
  ...LEVEL_OVERRIDE_KEYS,
] as const;

export function readAccounts(r: Reader, raw: unknown, target: Target): DeployAccount[] {
  if (raw === undefined) {
    r.problem("accounts", 'is required: a list such as [{"name": "main", "createSecret": true}]');
    return [];
  }
  if (!Array.isArray(raw) || raw.length === 0) {
    r.problem("accounts", 'must be a non-empty JSON array such as [{"name": "main", "createSecret": true}]');
    return [];
  }
  // Names and duplicates: the core's parser, so a name synth accepts is one the Lambda accepts.
  r.core(
    () =>
      parseAccounts(
        JSON.stringify(
          raw.map((a: unknown) => ({
            name: isObject(a) ? a.name : undefined,
            secretId: "synth-check",
            ...(isObject(a) && a.margin !== undefined ? { margin: a.margin } : {}),
          })),
        ),
        "accounts",
      ),
    [],
  );

  const accounts: DeployAccount[] = [];
  raw.forEach((entry: unknown, i) => {
    const at = `accounts[${i}]`;
    if (!isObject(entry)) return; // reported by parseAccounts above
    for (const key of Object.keys(entry)) {
      if (!(ACCOUNT_KEYS as readonly string[]).includes(key)) {
        r.problem(`${at}.${key}`, `unknown setting (known: ${ACCOUNT_KEYS.join(", ")})`);
      }
    }
    const name = typeof entry.name === "string" ? entry.name : "";
    const secret = readSecretSource(r, at, name, entry, target);
    const levels: LevelOverrides | undefined = r.core(() => parseLevelOverrides(entry, at), undefined);
    const rawUsdm = entry.usdm;
    if (rawUsdm !== undefined && typeof rawUsdm !== "boolean") r.problem(`${at}.usdm`, "must be true or false");
    const usdm = typeof rawUsdm === "boolean" ? rawUsdm : undefined;
    // Checked by parseAccounts above; only a known mode is carried on.
    const margin = MARGIN_MODES.find((m) => m === entry.margin);
    if (secret) {
      accounts.push({
        name,
        secret,
        ...(levels ? { levels } : {}),
        ...(usdm === false ? { usdm } : {}),
        ...(margin ? { margin } : {}),
      });
    }
  });
  checkAccountLimits(r, accounts, target);
  return accounts;
}

function readSecretSource(
  r: Reader,
  at: string,
  accountName: string,
  entry: Obj,
  target: Target,
): SecretSource | undefined {
  const { createSecret, secretName, secretArn, secretKmsKeyArn } = entry;
  const chosen = [createSecret === true, secretName !== undefined, secretArn !== undefined].filter(Boolean).length;
  if (createSecret !== undefined && typeof createSecret !== "boolean") {
    r.problem(`${at}.createSecret`, "must be true or false");
    return undefined;
  }
  if (chosen !== 1) {
    r.problem(
      at,
      'give exactly one of "createSecret": true (a new empty secret you fill after deploy), ' +
        '"secretName" or "secretArn" (an existing secret)',
    );
    return undefined;
  }
  let kmsKeyArn: string | undefined;
  if (secretKmsKeyArn !== undefined) {
    if (createSecret === true) {
      r.problem(`${at}.secretKmsKeyArn`, "applies only to an existing secret (created secrets use the default key)");
    } else if (typeof secretKmsKeyArn !== "string") {
      r.problem(`${at}.secretKmsKeyArn`, "must be a string");
    } else {
      const problem = checkKmsKeyArn(secretKmsKeyArn.trim(), target.region);
      r.problem(`${at}.secretKmsKeyArn`, problem);
      if (!problem) kmsKeyArn = secretKmsKeyArn.trim();
    }
  }
  if (createSecret === true) {
    return { kind: "create", secretName: `${target.stackName}/${accountName}` };
  }
  const field = secretName !== undefined ? "secretName" : "secretArn";
  const text = entry[field];
  if (typeof text !== "string") {
    r.problem(`${at}.${field}`, "must be a string");
    return undefined;
  }
  // "secret#key": this account's entry in a secret shared by several accounts (lib/keys/secret-ref.ts).
  const ref = parseSecretRef(text.trim());
  if ("problem" in ref) {
    r.problem(`${at}.${field}`, ref.problem);
    return undefined;
  }
  const jsonKey = ref.jsonKey !== undefined ? { jsonKey: ref.jsonKey } : {};
  if (field === "secretName") {
    const problem = checkSecretName(ref.secretId);
    r.problem(`${at}.secretName`, problem);
    return problem ? undefined : { kind: "name", secretName: ref.secretId, kmsKeyArn, ...jsonKey };
  }
  const problem = checkSecretArn(ref.secretId, target.region, target.account);
  r.problem(`${at}.secretArn`, problem);
  return problem ? undefined : { kind: "arn", secretArn: ref.secretId, kmsKeyArn, ...jsonKey };
}
