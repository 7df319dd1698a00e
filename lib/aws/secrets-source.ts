/**
 * Secrets Manager adapter: reads an account's API credentials and caches them for the life of
 * the warm container (one GetSecretValue per account per cold start), refreshing on request.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type ApiCredentials, parseCredentials } from "../credentials.js";
import { SecretError } from "../errors.js";
import type { SecretSource } from "../ports.js";

interface CacheEntry {
  readonly versionId: string | undefined;
  readonly credentials: ApiCredentials;
}

export class SecretsManagerSource implements SecretSource {
  private readonly cache = new Map<string, Promise<CacheEntry>>();

  constructor(private readonly client: SecretsManagerClient) {}

  async getCredentials(secretId: string, options: { refresh?: boolean } = {}): Promise<ApiCredentials> {
    const cached = this.cache.get(secretId);
    if (cached && !options.refresh) {
      return (await cached).credentials;
    }
    const previous = cached ? await cached.catch(() => undefined) : undefined;
    const loading = this.load(secretId, previous);
    this.cache.set(secretId, loading);
    // A failed read must not stay cached: the next cycle tries again.
    loading.catch(() => {
      if (this.cache.get(secretId) === loading) this.cache.delete(secretId);
    });
    return (await loading).credentials;
  }

  private async load(secretId: string, previous: CacheEntry | undefined): Promise<CacheEntry> {
    let secretString: string | undefined;
    let versionId: string | undefined;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
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
    return { versionId, credentials: parseCredentials(secretString, `secret "${secretId}"`) };
  }
}

/** Fixed credentials from memory, for the local demo and tests. */
export class StaticSecretSource implements SecretSource {
  private readonly parsed = new Map<string, ApiCredentials>();

  constructor(private readonly values: ReadonlyMap<string, string>) {}

  async getCredentials(secretId: string): Promise<ApiCredentials> {
    let creds = this.parsed.get(secretId);
    if (!creds) {
      const value = this.values.get(secretId);
      if (value === undefined) throw new SecretError(`secret "${secretId}" does not exist`);
      creds = parseCredentials(value, `secret "${secretId}"`);
      this.parsed.set(secretId, creds);
    }
    return creds;
  }
}
