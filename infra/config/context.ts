/**
 * Where the config comes from: cdk.json's `"coinm-guard"` block, or JSON text from
 * `cdk synth -c coinm-guard='{...}'` merged over it.
 */
import { CONTEXT_KEY, DeployConfigError, isObject, type Obj } from "./reader.js";

/** Accept the config object from cdk.json, or its JSON text from `cdk synth -c coinm-guard='{...}'`. */
export function configFromContext(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new DeployConfigError([`context "${CONTEXT_KEY}" was given as text but is not valid JSON`]);
  }
}

/**
 * Merge a `-c coinm-guard='{...}'` override over cdk.json's block, key by key: an object merges
 * into the object under the same key, anything else (arrays included) replaces it. So an
 * override that sets "region" keeps cdk.json's emails, and one that sets "emails" replaces them.
 */
export function mergeOverride(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override;
  const out: Obj = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = mergeOverride(base[key], value);
  return out;
}

/**
 * The config the app uses: cdk.json's block as is, or, when the context holds JSON text (from
 * `-c coinm-guard='{...}'`, which replaces the context value), that text merged over `fileBlock`
 * (cdk.json's block read from the file, since the CLI no longer passes it).
 */
export function configWithOverride(contextValue: unknown, fileBlock: unknown): unknown {
  const value = configFromContext(contextValue);
  return typeof contextValue === "string" && fileBlock !== undefined ? mergeOverride(fileBlock, value) : value;
}
