/**
 * Which account `history` reads, checked before anything is printed: a name the table has nothing
 * for fails and lists the known names, since an empty table would read as "no snapshots".
 */
import { UnknownAccountError } from "../../../lib/core/errors.js";
import { accountHasItems } from "../../../lib/history/read.js";
import { type Target, tableError } from "../../cli-context.js";

/** Errors from the SDK (service errors carry $metadata; credential and region errors do not). */
export function isAwsError(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const name = err instanceof Error ? err.name : "";
  return (
    "$metadata" in err ||
    name === "CredentialsProviderError" ||
    /Region is missing/.test(String((err as Error).message))
  );
}

/** The account names the target knows: the demo's, or the stack's AccountSecrets output. */
async function knownAccounts(target: Target): Promise<{ names?: readonly string[]; note?: string }> {
  if (target.demo) return { names: target.demo.accounts };
  try {
    const secrets = (await target.stack()).accountSecrets;
    return secrets ? { names: Object.keys(secrets).sort() } : { note: "the stack has no AccountSecrets output" };
  } catch (err) {
    return { note: (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "" };
  }
}

/**
 * Fail before printing anything when the table has nothing at all for the account (a typo, a
 * wrong case): an empty table and exit 0 would read as "no snapshots in this range".
 */
export async function checkAccount(target: Target, account: string, fromStack: boolean): Promise<void> {
  if (target.demo?.accounts.includes(account)) return;
  // Without --table the stack's outputs are already read, so its list costs nothing.
  if (fromStack && (await knownAccounts(target)).names?.includes(account)) return;
  let exists: boolean;
  try {
    exists = await accountHasItems(target.dynamodb, target.tableName, account);
  } catch (err) {
    throw isAwsError(err) ? tableError(err, target.tableName) : err;
  }
  if (exists) return;
  const known = await knownAccounts(target);
  const where = target.demo ? "the demo's data" : `table "${target.tableName}"`;
  throw new UnknownAccountError(account, known.names, where, known.note);
}
