/**
 * Secrets Manager adapter: reads an account's API credentials and caches them for the life of
 * the warm container (one GetSecretValue per secret per cold start), refreshing on request. A
 * reference `secret#key` reads one entry of a secret shared by several accounts (secret-ref.ts);
 * the accounts sharing it share one read.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecretError } from "../core/errors.js";
import type { ApiCredentials } from "../keys/credentials.js";
import { credentialsFromSecret, parseSecretRef, type SecretRef } from "../keys/secret-ref.js";
import type { SecretSource } from "../monitor/ports.js";
import { type ClientRef, lazyModule, resolveClient } from "./lazy.js";

/** Imported on the first secret read (lib/aws/lazy.ts: the cold start imports no SDK). */
const secretsSdk = lazyModule(() => import("@aws-sdk/client-secrets-manager"));

interface CacheEntry {
  readonly versionId: string | undefined;
  readonly secretString: string;
}

function refOf(reference: string): SecretRef {
  const ref = parseSecretRef(reference);
  // loadConfig validates references at start-up; this guards direct callers.
  if ("problem" in ref) throw new SecretError(`bad secret reference: ${ref.problem}`);
  return ref;
}

export class SecretsManagerSource implements SecretSource {
  /** Raw secret values by secret id: one read serves every account sharing the secret. */
  private readonly cache = new Map<string, Promise<CacheEntry>>();
  /** Parsed credentials by reference, valid for the secret version they were parsed from. */
  private readonly parsed = new Map<string, { secretString: string; credentials: ApiCredentials }>();

  private readonly client: () => Promise<SecretsManagerClient>;

  constructor(client: ClientRef<SecretsManagerClient>) {
    this.client = resolveClient(client);
  }

  async getCredentials(reference: string, options: { refresh?: boolean } = {}): Promise<ApiCredentials> {
    const ref = refOf(reference);
    const secretId = ref.secretId;
    let cached = this.cache.get(secretId);
    if (!cached || options.refresh) {
      const previous = cached ? await cached.catch(() => undefined) : undefined;
      const loading = this.load(secretId, previous);
      this.cache.set(secretId, loading);
      // A failed read must not stay cached: the next cycle tries again.
      loading.catch(() => {
        if (this.cache.get(secretId) === loading) this.cache.delete(secretId);
      });
      cached = loading;
    }
    const entry = await cached;
    const hit = this.parsed.get(reference);
    if (hit && hit.secretString === entry.secretString) return hit.credentials;
    const credentials = credentialsFromSecret(entry.secretString, ref);
    this.parsed.set(reference, { secretString: entry.secretString, credentials });
    return credentials;
  }

  private async load(secretId: string, previous: CacheEntry | undefined): Promise<CacheEntry> {
    let secretString: string | undefined;
    let versionId: string | undefined;
    try {
      const [client, sdk] = await Promise.all([this.client(), secretsSdk()]);
      const out = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
      secretString = out.SecretString;
      versionId = out.VersionId;
    } catch (err) {
      const name = err instanceof Error ? err.name : "Error";
      const hint =
        name === "ResourceNotFoundException"
          ? // A secret the stack created but nobody filled yet answers the same way as a missing one.
            "it does not exist or has no value yet (npm run guard -- put-secret; see docs/deploy.md)"
          : name === "AccessDeniedException"
            ? "the monitor is not allowed to read it"
            : name === "ThrottlingException"
              ? "Secrets Manager is throttling"
              : `Secrets Manager error ${name}`;
      const transient = name !== "ResourceNotFoundException" && name !== "AccessDeniedException";
      throw new SecretError(`cannot read secret "${secretId}": ${hint}`, { cause: err, transient });
    }
    if (previous && versionId !== undefined && previous.versionId === versionId) return previous;
    if (secretString === undefined || secretString.trim() === "") {
      throw new SecretError(
        `secret "${secretId}" has no value yet: put the API key into it (npm run guard -- put-secret; see docs/deploy.md)`,
      );
    }
    return { versionId, secretString };
  }
}

/** Fixed credentials from memory, for the local demo and tests. */
export class StaticSecretSource implements SecretSource {
  private readonly parsed = new Map<string, ApiCredentials>();

  constructor(private readonly values: ReadonlyMap<string, string>) {}

  async getCredentials(reference: string): Promise<ApiCredentials> {
    let creds = this.parsed.get(reference);
    if (!creds) {
      const ref = refOf(reference);
      const value = this.values.get(ref.secretId);
      if (value === undefined) throw new SecretError(`secret "${ref.secretId}" does not exist`);
      creds = credentialsFromSecret(value, ref);
      this.parsed.set(reference, creds);
    }
    return creds;
  }
}
