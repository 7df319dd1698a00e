/**
 * `put-secret`: store an account's Binance API key in its Secrets Manager secret. The key is read
 * from a prompt (a terminal: the API key, which is not secret, is shown as typed; the secret is
 * not echoed) or from stdin (a pipe or file), checked with the monitor's own parser, and written
 * with PutSecretValue. The secret is never accepted on the command line (argv lands in shell
 * history and `ps`), never printed, and no error message quotes it. An empty or malformed answer
 * is asked again, not the whole dialogue.
 */
import { PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { DEFAULT_STACK_NAME, describeAwsError, readStackOutputs } from "../../lib/aws/stack-outputs.js";
import { API_KEY, type ApiCredentials, parseCredentials } from "../../lib/keys/credentials.js";
import { parseSecretRef } from "../../lib/keys/secret-ref.js";
import { parseOptions } from "../args.js";
import { resolveAwsTarget } from "../aws-target.js";
import { type CliDeps, defaultCliDeps, type InStream } from "../cli-context.js";
import { type Command, EXIT, UsageError } from "../command.js";
import type { OutStream } from "../output.js";
import { checkBeforeStoring } from "./put-secret-check.js";

const HELP = `Usage: coinm-guard put-secret --account NAME [--secret-id ARN] [options]

Stores the Binance API key for an account in its Secrets Manager secret. In a terminal it asks
for the API key (shown as you type: it is not secret) and then the secret (not shown), asking
again for an empty or malformed answer; otherwise it reads them from stdin. It never takes them
as arguments and never prints the secret.

What to enter (prompt) or pipe in (stdin), one of:
  - the API key, then the API secret (HMAC keys), one per line
  - the API key, then the private key PEM (Ed25519 or RSA keys), from -----BEGIN to -----END
  - the secret's JSON: {"apiKey": "...", "apiSecret": "..."} or {"apiKey": "...", "privateKey": "-----BEGIN ..."}

Options:
  --account NAME    account alias (required)
  --secret-id ID    secret name or ARN (default: the account's entry in the stack's
                    AccountSecrets output)
  --check           only validate the input (and check the key on Binance); write nothing
  --no-check        do not check the key on Binance before storing it
  --allow-trading-key
                    store a key that can withdraw, transfer or trade (a risk: a leak of
                    the key can then cost funds); without it such a key is refused
  --stack NAME      CloudFormation stack to read outputs from (default: cdk.json's
                    stackName in a checkout, else ${DEFAULT_STACK_NAME})
  --region REGION   AWS region (default: AWS_REGION, else cdk.json's region in a
                    checkout, else the profile's)
  --profile NAME    AWS profile (default: the SDK's credential chain)

Examples:
  coinm-guard put-secret --account main
  coinm-guard put-secret --account main < main-key.json
  printf '%s\\n%s\\n' "$KEY" "$SECRET" | coinm-guard put-secret --account main --profile prod

Before storing, the key is checked on Binance (BINANCE_BASE_URL, BINANCE_SPOT_BASE_URL): it must
read the COIN-M account and have only "Enable Reading". A key that can withdraw, transfer or trade
is refused with the boxes to untick. A key without IP restriction is stored with a warning. If
Binance cannot be reached from this machine (HTTP 451, or -2015 because the key is IP-restricted
to the monitor's address), the key is stored with a warning and the monitor checks it.

The monitor picks the new key up on its next cold start, or at once if Binance rejects the key it holds.
Exit codes: 0 stored (or valid with --check), 1 invalid input, key refused or AWS error, 2 usage error.`;

const OPTIONS = {
  account: { type: "string" },
  "secret-id": { type: "string" },
  check: { type: "boolean" },
  "no-check": { type: "boolean" },
  "allow-trading-key": { type: "boolean" },
  stack: { type: "string" },
  region: { type: "string" },
  profile: { type: "string" },
} as const;

/** The largest secret input accepted (an RSA-4096 PEM is about 3.3 KB). */
const MAX_INPUT_BYTES = 64 * 1024;

export type SecretValue = { apiKey: string; apiSecret: string } | { apiKey: string; privateKey: string };

/**
 * Turn what the person typed or piped into the secret's JSON object. Errors describe the shape
 * that was expected, never the text that was given.
 */
export function parseSecretInput(text: string): SecretValue {
  const t = text.replace(/^\uFEFF/, "").trim();
  if (t === "") throw new Error("no key was given");
  if (t.startsWith("{")) {
    let raw: unknown;
    try {
      raw = JSON.parse(t);
    } catch {
      // No cause and no detail: JSON.parse messages quote the input.
      throw new Error('the input starts with "{" but is not valid JSON');
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw))
      throw new Error("the JSON input must be an object");
    const { apiKey, apiSecret, privateKey } = raw as Record<string, unknown>;
    const key = typeof apiKey === "string" ? apiKey : "";
    if (apiSecret !== undefined && privateKey !== undefined) {
      throw new Error('give exactly one of "apiSecret" (HMAC) or "privateKey" (RSA/Ed25519 PEM)');
    }
    if (typeof privateKey === "string") return { apiKey: key, privateKey };
    return { apiKey: key, apiSecret: typeof apiSecret === "string" ? apiSecret : "" };
  }
  const lines = t.split(/\r\n|\r|\n/).map((l) => l.trim());
  const [apiKey = "", ...rest] = lines;
  const restText = rest.join("\n").trim();
  if (restText.startsWith("-----BEGIN")) return { apiKey, privateKey: `${restText}\n` };
  const secretLines = rest.filter((l) => l !== "");
  if (secretLines.length !== 1) {
    throw new Error("expected the API key on the first line and the API secret (or a PEM private key) after it");
  }
  return { apiKey, apiSecret: secretLines[0] ?? "" };
}

/** Read stdin to the end, refusing more than MAX_INPUT_BYTES. */
async function readAll(stdin: InStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_INPUT_BYTES)
      throw new Error(`the input is larger than ${MAX_INPUT_BYTES / 1024} KB; expected an API key and secret`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Lines typed at a terminal in raw mode. Nothing is echoed unless the line was asked for with
 * `echo` (the API key), and even then not a line that starts with "{" (a pasted JSON secret)
 * nor anything after the line's end (a paste of key and secret together). Keeps what arrives
 * after a line break (a pasted PEM comes in one chunk) for the next line. Ctrl-C cancels.
 */
export class HiddenLineReader {
  private buffer = "";
  private lines: string[] = [];
  private echo = false;
  private lastWasCr = false;
  private waiting: { resolve: (line: string) => void; reject: (err: Error) => void } | undefined;
  private failed: Error | undefined;
  private readonly onData = (chunk: Buffer | string) => {
    // Bracketed-paste markers, if the terminal sends them, are not part of the key.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what a terminal sends here.
    const text = String(chunk).replace(/\x1b\[20[01]~/g, "");
    for (const ch of text) {
      if (ch === "\u0003") {
        this.failed = new Error("cancelled");
        this.buffer = "";
        break;
      }
      if (ch === "\r" || ch === "\n" || ch === "\u0004") {
        const crlf = ch === "\n" && this.lastWasCr;
        this.lastWasCr = ch === "\r";
        if (crlf) continue;
        this.lines.push(this.erase(this.buffer));
        this.buffer = "";
        this.echo = false;
        continue;
      }
      this.lastWasCr = false;
      if (this.echo && !this.buffer.trimStart().startsWith("{") && ch !== "{") {
        if (ch === "\u007f" || ch === "\b") {
          if (this.erase(this.buffer).length > 0) this.stderr.write("\b \b");
        } else if (ch >= " ") {
          this.stderr.write(ch);
        }
      }
      this.buffer += ch;
    }
    this.flush();
  };

  constructor(
    private readonly stdin: InStream,
    private readonly stderr: OutStream,
  ) {
    stdin.setRawMode?.(true);
    stdin.setEncoding?.("utf8");
    stdin.on("data", this.onData);
    stdin.resume?.();
  }

  /** Apply backspaces typed before Enter. */
  private erase(text: string): string {
    let out = "";
    for (const ch of text) {
      if (ch === "\u007f" || ch === "\b") out = out.slice(0, -1);
      else out += ch;
    }
    return out;
  }

  private flush(): void {
    const w = this.waiting;
    if (!w) return;
    if (this.failed) {
      this.waiting = undefined;
      w.reject(this.failed);
      return;
    }
    const line = this.lines.shift();
    if (line !== undefined) {
      this.waiting = undefined;
      w.resolve(line);
    }
  }

  /** The next line; `prompt` (if any) goes to stderr, and the line break after it too. */
  async line(prompt?: string, options: { echo?: boolean } = {}): Promise<string> {
    if (prompt) this.stderr.write(prompt);
    // Only keystrokes still to come are echoed: a line already buffered (pasted) stays hidden.
    this.echo = (options.echo ?? false) && this.lines.length === 0 && this.buffer === "";
    const line = await new Promise<string>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.flush();
    });
    this.echo = false;
    if (prompt) this.stderr.write("\n");
    return line;
  }

  close(): void {
    this.stdin.off("data", this.onData);
    this.stdin.setRawMode?.(false);
    this.stdin.pause?.();
  }
}

/** How many times an empty or malformed answer is asked again before giving up. */
const PROMPT_ATTEMPTS = 5;

async function promptForKey(stdin: InStream, stderr: OutStream, account: string): Promise<string> {
  stderr.write(
    `Enter the Binance API key for account "${account}": the API key is shown as you type, the secret is hidden.\n`,
  );
  const reader = new HiddenLineReader(stdin, stderr);
  try {
    const apiKey = await ask(stderr, async () => {
      const key = (await reader.line("API key: ", { echo: true })).trim();
      if (key === "") return { problem: "the API key is empty; copy it from Binance's API Management page" };
      if (key.startsWith("{") || API_KEY.test(key)) return { value: key };
      return { problem: "that is not a Binance API key (16-128 letters and digits)" };
    });
    if (apiKey.startsWith("{")) return apiKey;
    return await ask(stderr, async () => {
      const second = (await reader.line("API secret, or paste the private key PEM: ")).trim();
      if (second === "") return { problem: "the secret is empty" };
      const pem = [second];
      if (second.startsWith("-----BEGIN")) {
        while (!/-----END [A-Z0-9 ]+-----/.test(pem[pem.length - 1] ?? "")) {
          pem.push((await reader.line()).trim());
          if (pem.length > 200) return { problem: "the private key PEM has no -----END line" };
        }
      }
      const text = `${apiKey}\n${pem.join("\n")}`;
      try {
        parseCredentials(JSON.stringify(parseSecretInput(text)), "the key");
      } catch (err) {
        // The parser's messages name the problem, never the value.
        return { problem: err instanceof Error ? err.message : "unreadable secret" };
      }
      return { value: text };
    });
  } finally {
    reader.close();
  }
}

/** Ask until `attempt` gives a value, saying each problem; give up after PROMPT_ATTEMPTS. */
async function ask(
  stderr: OutStream,
  attempt: () => Promise<{ value: string; problem?: undefined } | { problem: string; value?: undefined }>,
): Promise<string> {
  for (let i = 1; ; i++) {
    const answer = await attempt();
    if (answer.value !== undefined) return answer.value;
    if (i >= PROMPT_ATTEMPTS) throw new Error(`invalid key: ${answer.problem}`);
    stderr.write(`  ${answer.problem}; try again (Ctrl-C to stop).\n`);
  }
}

export function createPutSecretCommand(overrides: Partial<CliDeps> = {}): Command {
  return {
    name: "put-secret",
    summary: "Store an account's Binance API key in Secrets Manager (hidden prompt or stdin)",
    help: HELP,
    async run(argv) {
      const deps: CliDeps = { ...defaultCliDeps(), ...overrides };
      let values: ReturnType<typeof parseOptions<typeof OPTIONS>>["values"];
      try {
        values = parseOptions(argv, OPTIONS).values;
      } catch {
        // parseArgs quotes stray arguments, and a stray argument here may well be the key.
        throw new UsageError(
          "unexpected argument: put-secret never takes the key on the command line (it prompts for it, or reads stdin); options are --account, --secret-id, --check, --no-check, --allow-trading-key, --stack, --region, --profile",
        );
      }
      const account = values.account?.trim();
      if (!account) throw new UsageError("--account is required");

      const text = deps.stdin.isTTY ? await promptForKey(deps.stdin, deps.stderr, account) : await readAll(deps.stdin);
      if (text.trim() === "") {
        throw new Error("nothing on stdin: pipe the key in (see --help), or run in a terminal to be asked for it");
      }
      let value: SecretValue;
      let credentials: ApiCredentials;
      try {
        value = parseSecretInput(text);
        credentials = parseCredentials(JSON.stringify(value), "the key");
      } catch (err) {
        // Messages from parseSecretInput and parseCredentials name the problem, never the value.
        throw new Error(`invalid key: ${err instanceof Error ? err.message : "unreadable input"}`);
      }
      const keyType = credentials.signer.keyType;
      const kind = keyType === "hmac" ? "HMAC" : keyType === "ed25519" ? "Ed25519" : "RSA";
      if (!values["no-check"]) await checkBeforeStoring(credentials, values["allow-trading-key"] ?? false, deps);
      if (values.check) {
        deps.stderr.write(`The ${kind} key for account "${account}" is well-formed; nothing was written (--check).\n`);
        return EXIT.ok;
      }

      const resolved = resolveAwsTarget(values, deps.env, deps.projectDefaults?.());
      const clients = deps.aws(resolved.client);
      try {
        let secretId = values["secret-id"]?.trim();
        if (!secretId) {
          if (resolved.note) deps.stderr.write(`${resolved.note}\n`);
          const stackName = resolved.stackName;
          const outputs = await readStackOutputs(await clients.cloudformation(), stackName);
          const secrets = outputs.accountSecrets;
          if (!secrets) throw new Error(`stack "${stackName}" has no AccountSecrets output; pass --secret-id`);
          secretId = secrets[account];
          if (!secretId) {
            const known = Object.keys(secrets).sort();
            throw new Error(
              `account "${account}" is not in stack "${stackName}"'s AccountSecrets (${known.length ? `accounts: ${known.join(", ")}` : "no accounts"}); pass --secret-id`,
            );
          }
        }
        const ref = parseSecretRef(secretId);
        if (!("problem" in ref) && ref.jsonKey !== undefined) {
          // Writing the whole value would wipe every other account's key in the shared secret.
          throw new Error(
            `account "${account}" keeps its key in entry "${ref.jsonKey}" of the shared secret "${ref.secretId}"; ` +
              "put-secret writes whole secrets and would overwrite the other accounts' keys. Update the entry " +
              'with the AWS console or CLI instead (docs/deploy.md, "Several accounts in one secret")',
          );
        }
        try {
          const out = await clients
            .secretsManager()
            .send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(value) }));
          deps.stdout.write(
            `Stored the ${kind} key for account "${account}" in ${out.ARN ?? secretId}${out.VersionId ? ` (version ${out.VersionId})` : ""}.\n`,
          );
        } catch (err) {
          const name = err instanceof Error ? err.name : "";
          if (name === "ResourceNotFoundException")
            throw new Error(`secret "${secretId}" does not exist (check --secret-id / --region)`);
          throw new Error(`cannot write secret "${secretId}": ${describeAwsError(err)}`);
        }
        return EXIT.ok;
      } finally {
        clients.destroy();
      }
    },
  };
}

export const putSecretCommand: Command = createPutSecretCommand();
