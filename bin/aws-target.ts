/**
 * Which stack, region and profile an AWS-reading command uses. Flags win, then the environment
 * (AWS_REGION, AWS_PROFILE), then, in a checkout, cdk.json's "coinm-guard" context (the stack and
 * region `cdk deploy` used), then the defaults. The command says which it used when cdk.json
 * supplied any of it, so a reader of the output knows where it looked.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { checkRegionName } from "../infra/validators.js";
import { DEFAULT_STACK_NAME } from "../lib/aws/stack-outputs.js";

/** What cdk.json in the working folder says about the deployed stack. */
export interface ProjectDefaults {
  readonly stackName?: string;
  readonly region?: string;
}

/** Read `<dir>/cdk.json`'s "coinm-guard" context; undefined outside a checkout or when unreadable. */
export function readProjectDefaults(dir: string = process.cwd()): ProjectDefaults | undefined {
  const file = join(dir, "cdk.json");
  if (!existsSync(file)) return undefined;
  let context: unknown;
  try {
    context = (JSON.parse(readFileSync(file, "utf8")) as { context?: Record<string, unknown> }).context?.[
      "coinm-guard"
    ];
  } catch {
    return undefined; // synth reports a broken cdk.json; reading history should not fail on it
  }
  if (typeof context !== "object" || context === null) return undefined;
  const { stackName, region } = context as Record<string, unknown>;
  return {
    ...(typeof stackName === "string" && stackName.trim() ? { stackName: stackName.trim() } : {}),
    ...(typeof region === "string" && region.trim() ? { region: region.trim() } : {}),
  };
}

export interface AwsTargetOptions {
  readonly stack?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
}

export interface AwsTarget {
  readonly stackName: string;
  /** What to hand the SDK client factory: only what the SDK would not find by itself. */
  readonly client: { region?: string; profile?: string };
  /** A line saying which stack and region were used, when cdk.json supplied either; else undefined. */
  readonly note: string | undefined;
}

/** A region name no partition has (a typo, usually). */
export class RegionError extends Error {
  override readonly name = "RegionError";
}

/** Throws a RegionError when the region (from wherever it came) is not one the CDK knows. */
export function resolveAwsTarget(
  options: AwsTargetOptions,
  env: Readonly<Record<string, string | undefined>>,
  project: ProjectDefaults | undefined,
): AwsTarget {
  const envRegion = env.AWS_REGION?.trim() || undefined;
  const stack = options.stack
    ? { name: options.stack, from: "--stack" }
    : project?.stackName
      ? { name: project.stackName, from: "cdk.json" }
      : { name: DEFAULT_STACK_NAME, from: "default" };
  const region = options.region
    ? { name: options.region, from: "--region" }
    : envRegion
      ? { name: envRegion, from: "AWS_REGION" }
      : project?.region
        ? { name: project.region, from: "cdk.json" }
        : undefined;
  // The same list synth accepts, so a typo fails here and not as a DNS error for a made-up endpoint.
  const unknown = region ? checkRegionName(region.name) : undefined;
  if (region && unknown) throw new RegionError(`${region.from}: ${unknown}`);
  const fromProject = stack.from === "cdk.json" || region?.from === "cdk.json";
  return {
    stackName: stack.name,
    client: {
      ...(region && region.from !== "AWS_REGION" ? { region: region.name } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
    },
    note: fromProject
      ? `Using stack "${stack.name}" (${stack.from}) in ${region ? `${region.name} (${region.from})` : "the SDK's region"}; --stack / --region override.`
      : undefined,
  };
}

/**
 * Whether `profile` is defined in the shared config or credentials file, so a typo says so
 * instead of the SDK's "could not load credentials". Undefined: it exists (or cannot be checked).
 */
export function missingProfileProblem(
  profile: string,
  env: Readonly<Record<string, string | undefined>>,
  home: string = homedir(),
): string | undefined {
  const files = [
    env.AWS_CONFIG_FILE?.trim() || join(home, ".aws", "config"),
    env.AWS_SHARED_CREDENTIALS_FILE?.trim() || join(home, ".aws", "credentials"),
  ];
  const known = new Set<string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    // "[profile name]" in the config file, "[name]" in the credentials file, "[default]" in both;
    // "[sso-session x]" and "[services x]" have two words and do not match.
    for (const m of text.matchAll(/^\s*\[\s*(?:profile\s+)?([^\]\s]+)\s*\]/gm)) if (m[1]) known.add(m[1]);
  }
  if (known.has(profile)) return undefined;
  const list = [...known].filter((p) => p !== "").sort();
  return (
    `AWS profile "${profile}" does not exist in ${files.join(" or ")}` +
    (list.length ? ` (profiles there: ${list.join(", ")})` : " (no profiles there; run `aws configure`)")
  );
}
