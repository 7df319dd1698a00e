/**
 * `demo` (what `npm start` runs): the whole monitor on loopback with embedded defaults. dynalite
 * stands in for DynamoDB, a loopback exchange for Binance, and loopback SNS / Secrets Manager
 * stand-ins for the rest; the cycle itself is the Lambda's, unchanged.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { shortDecimal } from "../../lib/alerts/messages.js";
import { createAwsClients } from "../../lib/aws/clients.js";
import { loadConfig } from "../../lib/config.js";
import { createLogger } from "../../lib/core/log.js";
import { type PositionRow, positionRows } from "../../lib/history/views.js";
import type { PoolSnapshot } from "../../lib/monitor/snapshot.js";
import { createMonitor } from "../../lib/monitor.js";
import { decimalOrZero, formatPercent, marginRatio } from "../../lib/risk/decimal.js";
import { type AlertLevel, levelRank } from "../../lib/risk/levels.js";
import { formatUniMMR } from "../../lib/risk/portfolio.js";
import { AwsStandIns } from "../../sim/aws-standins.js";
import { acquireDemoLock } from "../../sim/demo-lock.js";
import { DEMO_ACCOUNTS, DEMO_DATA_DIR, DEMO_INTERVAL_MS, DEMO_TABLE, useLoopbackAws } from "../../sim/demo-store.js";
import { ensureTable, startDynalite } from "../../sim/dynalite.js";
import { LoopbackExchange } from "../../sim/exchange/exchange.js";
import {
  DEMO_CYCLES,
  DEMO_ETH_OUTAGE,
  demoEngine,
  demoPortfolioEngine,
  demoUsdmEngine,
  setDemoMarket,
  setDemoPortfolioMarket,
  setDemoUsdmMarket,
} from "../../sim/scenario.js";
import { parseOptions } from "../args.js";
import { type Command, EXIT, UsageError } from "../command.js";
import { streamChapter } from "./demo-stream.js";

const TOPIC_ARN = "arn:aws:sns:eu-west-1:000000000000:coinm-guard-demo-alerts";

const print = (line = "") => process.stdout.write(`${line}\n`);
/** HH:MM:SS of an ISO time: each snapshot is printed with its own time, not the time of printing. */
const clock = (iso: string) => iso.slice(11, 19);

/**
 * Why a pool below a level still holds it: a level clears only once the ratio is `hysteresis`
 * below it (and the distance to liquidation likewise beyond its threshold), so a value wobbling
 * around the line does not alert every cycle. Undefined when the held level is not above the
 * level the pool reaches now (nothing to explain).
 */
export function hysteresisNote(
  ratio: number | null,
  level: string,
  heldLevel: string,
  levels: readonly AlertLevel[],
  hysteresis: number,
): string | undefined {
  const held = levels.find((l) => l.name === heldLevel);
  if (ratio === null || !held || levelRank(heldLevel, levels) <= levelRank(level, levels)) return undefined;
  return (
    `${formatPercent(ratio, 1)} is below ${held.name} (${formatPercent(held.ratio, 0)}) but the alert stays ${held.name}: ` +
    `it clears only below ${formatPercent(held.ratio - hysteresis, 0)} (${formatPercent(held.ratio, 0)} minus the ` +
    `${formatPercent(hysteresis, 0)} hysteresis), so a ratio hovering at the line does not send an alert every minute.`
  );
}

/**
 * A pool with nothing at stake: no requirement and no open position in it (a balance left in an
 * asset, like the demo's BNB). Its snapshot keeps it; the per-cycle lines leave it out.
 */
export function isDustPool(pool: PoolSnapshot, positions: readonly PositionRow[]): boolean {
  if (decimalOrZero(pool.requirement).units !== 0n) return false;
  return !positions.some((p) => p.poolId === pool.id && decimalOrZero(p.raw.positionAmt).units !== 0n);
}

/**
 * How far the pool is from liquidation and at what price, as Binance shows its nearest
 * position: "3.75% to liq 46390.4", "no liq" (no position has a liquidation price), "past liq".
 */
export function liquidationText(pool: PoolSnapshot, positions: readonly PositionRow[]): string {
  if (pool.distance === null) return "no liq";
  if (pool.distance <= 0) return "past liq";
  const nearest = positions
    .filter((p) => p.poolId === pool.id && p.distance !== null)
    .sort((a, b) => (a.distance ?? 0) - (b.distance ?? 0))[0];
  const price = nearest?.raw.liquidationPrice;
  return `${formatPercent(pool.distance, 2)} to liq${price ? ` ${shortDecimal(price)}` : ""}`;
}

/** How to read the data afterwards: as a checkout runs it (npm) or as the installed binary. */
const guardCommand = () =>
  ["start", "guard"].includes(process.env.npm_lifecycle_event ?? "") ? "npm run guard --" : "coinm-guard";

export const demoCommand: Command = {
  name: "demo",
  summary: "Run the monitor locally against a simulated exchange (no AWS, no Binance key)",
  help: `Usage: coinm-guard demo [--interval-ms N] [--keep-data]

Starts dynalite, a loopback Binance exchange and loopback SNS / Secrets Manager, then runs the
real monitoring cycle every interval while BTC falls from 60,000 to 48,030 and recovers. Every
account is computed by a margin engine from its positions and the marks, as Binance computes it:
account "demo"'s large cross BTC long climbs through warning and critical toward its liquidation
price and recovers, account "demo-eth" (a covered ETH short) goes unreadable for a few cycles,
and account "demo-mixed" looks calm as a whole (its BTC asset ratio stays under 2%) while its
isolated BTCUSD_PERP long nears its liquidation price and alerts on its own. Account "demo-pm" runs
Portfolio Margin (-2015 on the classic APIs): the monitor finds it on papi by itself and judges its
one account-wide pool by uniMMR, warning at 150% and critical at 120%. A last chapter shows account "demo-stream" crossing to critical between two
signed reads, caught from the mark price stream. Prints each margin
pool with its ratio and distance to liquidation (pools with nothing at stake left out) and each
alert as SNS would deliver it, then stops by itself (or on Ctrl-C), leaving nothing running.
Snapshots stay in .demo-data/ for 'coinm-guard history --demo --account demo'.

Options:
  --interval-ms N   time between cycles (default: 1000)
  --keep-data       keep earlier demo data instead of starting fresh`,
  async run(argv) {
    const { values } = parseOptions(argv, { "interval-ms": { type: "string" }, "keep-data": { type: "boolean" } });
    const intervalMs = Number(values["interval-ms"] ?? DEMO_INTERVAL_MS);
    if (!(intervalMs >= 0)) throw new UsageError("--interval-ms must be a non-negative number");

    // Before anything is wiped: a second demo in the same folder would delete the first one's data.
    const lock = await acquireDemoLock();
    try {
      return await runDemo(intervalMs, values["keep-data"] ?? false, lock);
    } finally {
      lock.release();
    }
  },
};

async function runDemo(
  intervalMs: number,
  keepData: boolean,
  lock: { publish(endpoint: string): void },
): Promise<number> {
  if (!keepData) await rm(DEMO_DATA_DIR, { recursive: true, force: true });
  const demoSecret = { apiKey: randomBytes(32).toString("hex"), apiSecret: randomBytes(32).toString("hex") };
  const ed = generateKeyPairSync("ed25519");
  const ethKey = {
    apiKey: randomBytes(32).toString("hex"),
    privateKey: ed.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
  const mixedSecret = { apiKey: randomBytes(32).toString("hex"), apiSecret: randomBytes(32).toString("hex") };
  const pmSecret = { apiKey: randomBytes(32).toString("hex"), apiSecret: randomBytes(32).toString("hex") };
  let cycle = 0;
  // One market for every account: each cycle moves the marks, and the engine computes both of a
  // cycle's bodies (account, positionRisk) from positions and marks, liquidation prices included.
  const engine = demoEngine({ demo: demoSecret.apiKey, eth: ethKey.apiKey, mixed: mixedSecret.apiKey });
  // demo-mixed's USD-M book, read beside COIN-M with the same key (the others hold nothing there).
  const usdmEngine = demoUsdmEngine(mixedSecret.apiKey);
  // demo-pm runs Portfolio Margin: -2015 on dapi and fapi, its one account-wide pool on papi.
  const pmEngine = demoPortfolioEngine(pmSecret.apiKey);
  const exchange = new LoopbackExchange({
    keys: [
      { type: "hmac", apiKey: demoSecret.apiKey, apiSecret: demoSecret.apiSecret },
      {
        type: "ed25519",
        apiKey: ethKey.apiKey,
        publicKeyPem: ed.publicKey.export({ type: "spki", format: "pem" }).toString(),
      },
      { type: "hmac", apiKey: mixedSecret.apiKey, apiSecret: mixedSecret.apiSecret },
      { type: "hmac", apiKey: pmSecret.apiKey, apiSecret: pmSecret.apiSecret },
    ],
    engine,
    usdmEngine,
    portfolio: pmEngine,
    latencyMs: 20,
  });
  const aws = new AwsStandIns();
  await mkdir(DEMO_DATA_DIR, { recursive: true });
  const dynamo = await startDynalite({ path: DEMO_DATA_DIR });
  lock.publish(dynamo.endpoint);
  let stopping = false;
  const onSignal = () => {
    stopping = true;
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const baseUrl = await exchange.start();
    await aws.start();
    const [demoName, ethName, mixedName, pmName] = DEMO_ACCOUNTS;
    aws.putSecret(`coinm-guard/${demoName}`, JSON.stringify(demoSecret));
    aws.putSecret(`coinm-guard/${ethName}`, JSON.stringify(ethKey));
    aws.putSecret(`coinm-guard/${mixedName}`, JSON.stringify(mixedSecret));
    aws.putSecret(`coinm-guard/${pmName}`, JSON.stringify(pmSecret));
    useLoopbackAws({ dynamodb: dynamo.endpoint, sns: aws.endpoint, secretsManager: aws.endpoint });

    const config = loadConfig({
      SNAPSHOT_TABLE: DEMO_TABLE,
      ALERT_TOPIC_ARN: TOPIC_ARN,
      ACCOUNTS: JSON.stringify(DEMO_ACCOUNTS.map((name) => ({ name, secretId: `coinm-guard/${name}` }))),
      BINANCE_BASE_URL: baseUrl,
      BINANCE_USDM_BASE_URL: baseUrl,
      BINANCE_SPOT_BASE_URL: baseUrl,
      BINANCE_PM_BASE_URL: baseUrl,
    });
    const clients = createAwsClients({ maxAttempts: 2 });
    await ensureTable(clients.dynamodb, DEMO_TABLE);
    // The monitor's own JSON log lines go to a file; the demo prints a readable view instead.
    const logFile = join(dirname(DEMO_DATA_DIR), "monitor.log");
    await writeFile(logFile, "");
    const monitor = createMonitor(
      config,
      clients,
      createLogger({ level: "info", sink: (l) => appendFileSync(logFile, `${l}\n`) }),
    );

    print("coinm-guard demo: loopback exchange, dynalite and SNS stand-in are running.");
    print(
      `Alert levels: ${config.alertLevels.map((l) => `${l.name} ${formatPercent(l.ratio, 0)}`).join(", ")}; hysteresis ${formatPercent(config.hysteresis, 0)}.`,
    );
    print(
      `Distance to liquidation: ${config.distanceLevels.map((l) => `${l.name} within ${formatPercent(l.distance, 0)}`).join(", ")}.`,
    );
    print("Each line is one margin pool: an asset's cross positions, or one isolated position.");
    print("");
    let seen = 0;
    // The level each account's pool is held at, as the alerts sent so far left it.
    const held = new Map<string, string>();
    let emailShown = false;
    let hysteresisExplained = false;
    for (cycle = 0; cycle < DEMO_CYCLES && !stopping; cycle++) {
      setDemoMarket(engine, cycle);
      setDemoUsdmMarket(usdmEngine, cycle);
      setDemoPortfolioMarket(pmEngine, cycle);
      if (DEMO_ETH_OUTAGE.has(cycle)) {
        exchange.injectFault(
          { kind: "status", status: 503, body: "<html><body><h1>503 Service Unavailable</h1></body></html>" },
          { apiKey: ethKey.apiKey, times: 8 },
        );
      }
      const summary = await monitor.run({ cycleTime: new Date(), deadlineMs: Date.now() + 8000 });
      exchange.clearFaults();
      for (const account of summary.accounts) {
        if (account.error) {
          print(
            `${clock(summary.cycleTime)}  ${account.account.padEnd(10)} cannot read account: ${account.error.message}`,
          );
          continue;
        }
        for (const alert of account.alertsSent) {
          if (alert.type === "margin") held.set(`${alert.account}:${alert.pool}`, alert.level);
        }
        const takenAt = clock(account.snapshot?.takenAt ?? summary.cycleTime);
        const pools = account.snapshot?.pools ?? [];
        const positions = account.snapshot ? positionRows(account.snapshot) : [];
        // What a monitor that blends each asset's balances would report, for assets that also hold
        // an isolated position: the reason pools matter.
        const withIsolated = new Set(pools.filter((p) => p.kind === "isolated").map((p) => p.asset));
        for (const a of (account.snapshot?.assets ?? []).filter((x) => withIsolated.has(x.asset))) {
          const blended = marginRatio(decimalOrZero(a.raw.maintMargin), decimalOrZero(a.raw.marginBalance));
          print(
            `${takenAt}  ${account.account.padEnd(10)} ${`${a.asset} blended (not a pool)`.padEnd(26)} ratio ${formatPercent(blended, 1).padStart(6)}  what a per-asset monitor would see`,
          );
        }
        for (const p of pools) {
          // Pools with nothing at stake are noise here (history shows them).
          if (isDustPool(p, positions)) continue;
          // A Portfolio Margin account is judged by uniMMR (higher is safer), shown as Binance shows it.
          const ratio = p.portfolio
            ? `uniMMR ${formatUniMMR(p.portfolio.uniMMR)}`
            : `ratio ${p.ratio === null ? "∞" : formatPercent(p.ratio, 1)}`;
          const distance = liquidationText(p, positions);
          const heldLevel = held.get(`${account.account}:${p.id}`) ?? p.level;
          const level = heldLevel === p.level ? `level ${p.level}` : `level ${p.level}, alert held at ${heldLevel}`;
          print(
            `${takenAt}  ${account.account.padEnd(10)} ${p.label.padEnd(26)} ${ratio.padStart(13)}  ${distance.padStart(21)}  ${level}`,
          );
          const note = p.portfolio
            ? undefined
            : hysteresisNote(p.ratio, p.level, heldLevel, config.alertLevels, config.hysteresis);
          if (note && !hysteresisExplained) {
            print(`          ↳ ${note}`);
            hysteresisExplained = true;
          }
        }
      }
      for (const msg of aws.published.slice(seen)) {
        const bodies = JSON.parse(msg.message) as { sms: string; email: string };
        print(`          ┌ ALERT  subject: ${msg.subject ?? ""}`);
        if (!emailShown) {
          // The email body once, in full; later alerts have the same layout, so only their SMS text follows.
          print("          │ EMAIL");
          for (const line of bodies.email.trimEnd().split("\n")) print(`          │   ${line}`);
          emailShown = true;
        }
        print(`          └ SMS    ${bodies.sms}`);
      }
      seen = aws.published.length;
      if (cycle < DEMO_CYCLES - 1 && !stopping) await new Promise((r) => setTimeout(r, intervalMs));
    }
    const cycleAlerts = aws.published.length;
    const streamAlerts = stopping
      ? 0
      : await streamChapter({
          aws,
          clients,
          topicArn: TOPIC_ARN,
          log: createLogger({ level: "info", sink: (l) => appendFileSync(logFile, `${l}\n`) }),
          print,
        });
    print("");
    print(
      `Done: ${cycle} cycles, ${cycleAlerts} alerts published${streamAlerts > 0 ? ` (and ${streamAlerts} in the stream chapter)` : ""}. The monitor's JSON log is in .demo-data/monitor.log;`,
    );
    print("snapshots are kept in .demo-data/dynalite.");
    print(`See them with: ${guardCommand()} history --demo --account demo --since 1h`);
    return EXIT.ok;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await Promise.all([exchange.stop(), aws.stop()]);
    await dynamo.stop();
  }
}
