/**
 * coinm-guard command line. `npm run guard -- <command>` in a checkout, or `coinm-guard <command>`.
 */
import process from "node:process";
import { type Command, EXIT, UsageError } from "./command.js";
import { demoCommand } from "./commands/demo.js";
import { historyCommand } from "./commands/history.js";
import { putSecretCommand } from "./commands/put-secret.js";
import { runOnceCommand } from "./commands/run-once.js";
import { statusCommand } from "./commands/status.js";
import { testAlertCommand } from "./commands/test-alert.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const commands: readonly Command[] = [
  runOnceCommand,
  demoCommand,
  historyCommand,
  statusCommand,
  putSecretCommand,
  testAlertCommand,
];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: coinm-guard <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run 'coinm-guard <command> --help' for a command's options.",
  ].join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage()}\n`);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`coinm-guard: unknown command "${name}"\n\n${usage()}\n`);
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${command.help}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(
        `coinm-guard ${command.name}: ${err.message}\nRun 'coinm-guard ${command.name} --help' for usage.\n`,
      );
      return EXIT.usage;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`coinm-guard ${command.name}: ${message.split("\n")[0]}\n`);
    return EXIT.runtime;
  }
}

process.exitCode = await main(process.argv.slice(2));
