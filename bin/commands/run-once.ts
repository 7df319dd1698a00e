/** `run-once`: exactly the Lambda's cycle, once, with the environment the Lambda reads. */
import { createAwsClients } from "../../lib/aws/clients.js";
import { loadConfig } from "../../lib/config.js";
import { createLogger, logLevelFromEnv } from "../../lib/log.js";
import { createMonitor, incompleteAccounts, summaryLogFields } from "../../lib/monitor.js";
import { parseOptions } from "../args.js";
import { type Command, EXIT, UsageError } from "../command.js";

export const runOnceCommand: Command = {
  name: "run-once",
  summary: "Run one monitoring cycle with the Lambda's environment variables",
  help: `Usage: coinm-guard run-once [--cycle-time ISO] [--timeout-seconds N]

Runs exactly the Lambda's cycle once: reads each account's key from Secrets Manager, reads the
account from Binance, writes snapshots to DynamoDB and publishes alerts to SNS. Configuration
comes from the same environment variables as the Lambda (SNAPSHOT_TABLE, ALERT_TOPIC_ARN,
ACCOUNTS, ...; see README). AWS_ENDPOINT_URL_* variables point the SDK at other endpoints.

Options:
  --cycle-time ISO       scheduled time of the cycle (default: now); a repeat is deduplicated
  --timeout-seconds N    time budget for the cycle (default: 60)

Exit codes: 0 every account read, 1 any account failed or deferred, 2 usage error.`,
  async run(argv) {
    const { values } = parseOptions(argv, {
      "cycle-time": { type: "string" },
      "timeout-seconds": { type: "string" },
    });
    const cycleTime = values["cycle-time"] ? new Date(values["cycle-time"]) : new Date();
    if (Number.isNaN(cycleTime.getTime())) throw new UsageError(`--cycle-time is not a date: ${values["cycle-time"]}`);
    const timeout = Number(values["timeout-seconds"] ?? 60);
    if (!(timeout > 0)) throw new UsageError("--timeout-seconds must be a positive number");

    const config = loadConfig(process.env);
    const log = createLogger({ level: logLevelFromEnv() });
    const monitor = createMonitor(config, createAwsClients(), log);
    const summary = await monitor.run({ cycleTime, deadlineMs: Date.now() + timeout * 1000 });
    log.info("cycle complete", summaryLogFields(summary));
    return summary.failed + summary.deferred > 0 || incompleteAccounts(summary).length > 0 ? EXIT.runtime : EXIT.ok;
  },
};
