/**
 * `run-once`: exactly the Lambda's cycle, once. Configuration is the Lambda's environment
 * variables: from the shell, or with --stack from the deployed function itself (Lambda
 * GetFunctionConfiguration), so nobody copies variables by hand. Every bad variable is reported
 * at once, and a missing region or credentials is one line before anything runs.
 */
import { createAwsClients } from "../../lib/aws/clients.js";
import { describeAwsError, readStackOutputs, type StackOutputs } from "../../lib/aws/stack-outputs.js";
import { configProblems, loadConfig } from "../../lib/config.js";
import { createLogger, logLevelFromEnv } from "../../lib/core/log.js";
import { createMonitor, incompleteAccounts, summaryLogFields } from "../../lib/monitor.js";
import { parseOptions } from "../args.js";
import { missingProfileProblem, readProjectDefaults, resolveAwsTarget } from "../aws-target.js";
import { type Command, EXIT, UsageError } from "../command.js";

type Env = Record<string, string | undefined>;

/** Variables of the deployed function that are not the monitor's configuration. */
const NOT_CONFIG = new Set(["NODE_OPTIONS", "AWS_NODEJS_CONNECTION_REUSE_ENABLED"]);

/**
 * The deployed function reads its accounts from accounts.json in its code (ACCOUNTS_FILE), which
 * is not here; the stack's AccountList output holds the same text, so it becomes ACCOUNTS (checked
 * below like any ACCOUNTS). A stack deployed before the file has ACCOUNTS itself and keeps it.
 */
function withAccountList(
  variables: Record<string, string>,
  outputs: StackOutputs,
  stackName: string,
): Record<string, string> {
  if (variables.ACCOUNTS !== undefined || variables.ACCOUNTS_FILE === undefined) return variables;
  const { ACCOUNTS_FILE: _file, ...rest } = variables;
  if (!outputs.accountList) {
    throw new Error(
      `stack "${stackName}" has no AccountList output to list its accounts: run \`npx cdk deploy\` once, or set ACCOUNTS yourself`,
    );
  }
  return { ...rest, ACCOUNTS: outputs.accountList };
}

/** The monitor function's environment variables, found through the stack's MonitorFunctionName output. */
async function deployedEnvironment(
  stackName: string,
  client: { region?: string; profile?: string },
): Promise<Record<string, string>> {
  const [{ CloudFormationClient }, { LambdaClient, GetFunctionConfigurationCommand }] = await Promise.all([
    import("@aws-sdk/client-cloudformation"),
    import("@aws-sdk/client-lambda"),
  ]);
  const config = { ...client, maxAttempts: 3 };
  const cfn = new CloudFormationClient(config);
  const lambda = new LambdaClient(config);
  try {
    const outputs = await readStackOutputs(cfn, stackName);
    const functionName = outputs.monitorFunctionName;
    if (!functionName) {
      throw new Error(
        `stack "${stackName}" has no MonitorFunctionName output (deployed before it existed): run \`npx cdk deploy\` once, or set the variables yourself`,
      );
    }
    let variables: Record<string, string>;
    try {
      const out = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
      variables = out.Environment?.Variables ?? {};
    } catch (err) {
      throw new Error(`cannot read function "${functionName}": ${describeAwsError(err)}`, { cause: err });
    }
    const config = Object.fromEntries(Object.entries(variables).filter(([k]) => !NOT_CONFIG.has(k)));
    return withAccountList(config, outputs, stackName);
  } finally {
    cfn.destroy();
    lambda.destroy();
  }
}

export const runOnceCommand: Command = {
  name: "run-once",
  summary: "Run one monitoring cycle with the Lambda's configuration",
  help: `Usage: coinm-guard run-once [--stack NAME] [--region REGION] [--profile NAME] [options]

Runs exactly the Lambda's cycle once: reads each account's key from Secrets Manager, reads the
account from Binance, writes snapshots to DynamoDB and publishes alerts to SNS (real alerts, to
the real subscribers, when pointed at a deployed stack).

Configuration:
  --stack NAME      use the deployed monitor function's environment variables (read with Lambda
                    GetFunctionConfiguration), its accounts from the stack's AccountList; variables
                    set in the shell override single ones (e.g. LOG_LEVEL=debug)
  (no --stack)      the shell's environment variables, as the Lambda reads them (SNAPSHOT_TABLE,
                    ALERT_TOPIC_ARN, ACCOUNTS, ...; see README)
  --region REGION   AWS region (default: AWS_REGION, else cdk.json's region in a checkout, else
                    the profile's)
  --profile NAME    AWS profile (default: the SDK's credential chain)
AWS_ENDPOINT_URL_* variables point the SDK at other endpoints.

Options:
  --cycle-time ISO       scheduled time of the cycle (default: now); a repeat is deduplicated
  --timeout-seconds N    time budget for the cycle (default: 60)

Exit codes: 0 every account read, 1 any account failed or deferred, or bad configuration, 2 usage error.`,
  async run(argv) {
    const { values } = parseOptions(argv, {
      "cycle-time": { type: "string" },
      "timeout-seconds": { type: "string" },
      stack: { type: "string" },
      region: { type: "string" },
      profile: { type: "string" },
    });
    const cycleTime = values["cycle-time"] ? new Date(values["cycle-time"]) : new Date();
    if (Number.isNaN(cycleTime.getTime())) throw new UsageError(`--cycle-time is not a date: ${values["cycle-time"]}`);
    const timeout = Number(values["timeout-seconds"] ?? 60);
    if (!(timeout > 0)) throw new UsageError("--timeout-seconds must be a positive number");

    const err = (line: string) => process.stderr.write(`${line}\n`);
    // Only --stack reads cdk.json: without it the shell's variables are the whole configuration.
    const target = resolveAwsTarget(values, process.env, values.stack ? readProjectDefaults() : undefined);
    const profile = values.profile ?? process.env.AWS_PROFILE?.trim();
    const profileProblem = profile ? missingProfileProblem(profile, process.env) : undefined;
    if (profileProblem) throw new Error(profileProblem);
    // The monitor's clients take the profile from the environment, as the SDK does.
    if (values.profile) process.env.AWS_PROFILE = values.profile;

    let env: Env = process.env;
    if (values.stack) {
      const deployed = await deployedEnvironment(target.stackName, target.client);
      const overridden = Object.keys(deployed).filter((k) => process.env[k] !== undefined && process.env[k] !== "");
      env = { ...process.env, ...deployed, ...Object.fromEntries(overridden.map((k) => [k, process.env[k]])) };
      err(
        `Using the configuration of stack "${target.stackName}"'s monitor function${target.client.region ? ` in ${target.client.region}` : ""}${overridden.length ? `; from the shell instead: ${overridden.join(", ")}` : ""}.`,
      );
    }

    const problems = configProblems(env);
    if (problems.length > 0) {
      err(
        `coinm-guard run-once: ${problems.length === 1 ? "a configuration problem" : `${problems.length} configuration problems`}:`,
      );
      for (const p of problems) err(`  - ${p.message}`);
      err(
        values.stack
          ? "The deployed function has these values: fix cdk.json and deploy again."
          : "Set the variables (see README, Configuration), or pass --stack to use a deployed stack's.",
      );
      return EXIT.runtime;
    }
    const config = loadConfig(env);
    const clients = createAwsClients(target.client.region ? { region: target.client.region } : {});
    try {
      // Region and credentials are resolved once here, so their absence is one line, not a failed cycle in JSON logs.
      await clients.dynamodb.config.region();
      await clients.dynamodb.config.credentials();
    } catch (e) {
      clients.dynamodb.destroy();
      clients.sns.destroy();
      clients.secretsManager.destroy();
      throw new Error(describeAwsError(e));
    }
    const log = createLogger({ level: logLevelFromEnv(env) });
    const monitor = createMonitor(config, clients, log);
    const summary = await monitor.run({ cycleTime, deadlineMs: Date.now() + timeout * 1000 });
    log.info("cycle complete", summaryLogFields(summary));
    return summary.failed + summary.deferred > 0 || incompleteAccounts(summary).length > 0 ? EXIT.runtime : EXIT.ok;
  },
};
