/**
 * One-off measurement for issue 17 (not a timed test, not part of `npm run bench`): time and
 * memory of the two hostile answers that used to stall or blow up the monitor, after the fix.
 *
 *   npx tsx bench/hostile-answers.ts
 *
 * Each case runs in a child process of its own, so its peak RSS is its own:
 * - decimal: a 300 KB account body with three figures of 100,000 digits, parsed as a cycle
 *   parses it (refused at the 64-character cap), and formatDecimal/trimZeros over 100,000 digits
 *   (linear zero trimming). For scale, the old `/0+$/` trim on 10,000 inner zeros.
 * - body: the loopback exchange streams a 100 MB body to a SignedClient read; the read is
 *   cancelled past 8 MB. For scale, the same body read whole with `res.text()` (the old code).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const mode = process.argv[2];

function peakRss(): () => number {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage().rss);
  };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function decimalCase(): Promise<void> {
  const { parseAccountResponse } = await import("../lib/binance/coinm/account.js");
  const { formatDecimal } = await import("../lib/risk/decimal.js");
  const { trimZeros } = await import("../lib/history/table.js");
  const { accountBody, btcAtRatio } = await import("../sim/account-fixtures.js");
  const digits = `1${"0".repeat(99_998)}1`;
  // Three such figures: the 300 KB body of the issue.
  let replaced = 0;
  const body = accountBody([btcAtRatio(0.3)]).replace(
    /"(walletBalance|marginBalance|crossWalletBalance)":"[^"]*"/g,
    (m, field: string) => (replaced++ < 3 ? `"${field}":"0.${digits}"` : m),
  );
  const before = process.memoryUsage().rss;
  const stop = peakRss();
  let t = performance.now();
  let refused = "";
  try {
    parseAccountResponse(body);
  } catch (err) {
    refused = (err as Error).message;
  }
  const parseMs = performance.now() - t;
  t = performance.now();
  const formatted = formatDecimal({ units: 1n, scale: 100_000 });
  const trimmed = trimZeros(`0.${digits}${"0".repeat(1000)}`);
  const trimMs = performance.now() - t;
  const peak = stop();
  // The old trim, on a tenth of the digits (it is quadratic: 100x this at 100,000).
  const tenth = `${"0".repeat(10_000)}1`;
  t = performance.now();
  tenth.replace(/0+$/, "");
  const oldTrimMs = performance.now() - t;
  console.log(
    JSON.stringify({
      case: "100,000-digit decimal",
      bodyBytes: body.length,
      parseMs: Number(parseMs.toFixed(2)),
      refused,
      formatAndTrim100kDigitsMs: Number(trimMs.toFixed(2)),
      formattedLength: formatted.length,
      trimmedLength: trimmed.length,
      rssBefore: mb(before),
      rssPeak: mb(peak),
      oldRegexTrim10kDigitsMs: Number(oldTrimMs.toFixed(1)),
    }),
  );
}

async function bodyCase(old: boolean): Promise<void> {
  const { LoopbackExchange } = await import("../sim/exchange/exchange.js");
  const { SignedClient } = await import("../lib/binance/common/signed-client.js");
  const { WeightGovernor } = await import("../lib/binance/common/weight-governor.js");
  const { parseCredentials } = await import("../lib/keys/credentials.js");
  const { createLogger } = await import("../lib/core/log.js");
  const { accountBody, btcAtRatio } = await import("../sim/account-fixtures.js");
  const { hmacKey } = await import("../test/support/harness.js");
  const key = hmacKey("bench");
  const exchange = new LoopbackExchange({ keys: [key.exchangeKey], account: () => accountBody([btcAtRatio(0.3)]) });
  const baseUrl = await exchange.start();
  exchange.injectFault({ kind: "stream", bytes: 100 * 1024 * 1024, chunkBytes: 256 * 1024 });
  const client = new SignedClient({
    baseUrl,
    timePath: "/dapi/v1/time",
    recvWindowMs: 5000,
    requestTimeoutMs: 60_000,
    maxAttempts: 1,
    governor: new WeightGovernor({ limit: 2400 }),
    // The old code: the whole body as text, whatever its size.
    ...(old ? { maxBodyBytes: Number.MAX_SAFE_INTEGER } : {}),
  });
  const before = process.memoryUsage().rss;
  const stop = peakRss();
  const t = performance.now();
  let outcome = "";
  try {
    await client.call(
      "/dapi/v1/account",
      5,
      parseCredentials(key.secretValue),
      Date.now() + 60_000,
      createLogger({ level: "error", sink: () => {} }),
      {
        parse: (body) => body.length,
        prepaid: false,
      },
    );
  } catch (err) {
    outcome = `${(err as Error).name}: ${(err as Error).message}`;
  }
  const ms = performance.now() - t;
  const peak = stop();
  await new Promise((r) => setTimeout(r, 100));
  await exchange.stop();
  console.log(
    JSON.stringify({
      case: old ? "100 MB body read whole (old res.text())" : "100 MB body, streamed with the 8 MB cap",
      ms: Math.round(ms),
      outcome,
      serverWrote: mb(exchange.streamed[0]?.written ?? 0),
      rssBefore: mb(before),
      rssPeak: mb(peak),
      rssGrowth: mb(peak - before),
    }),
  );
}

if (mode === "decimal") await decimalCase();
else if (mode === "body") await bodyCase(false);
else if (mode === "body-old") await bodyCase(true);
else {
  const self = fileURLToPath(import.meta.url);
  for (const m of ["decimal", "body", "body-old"]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", self, m], { encoding: "utf8" });
    process.stdout.write(r.stdout);
    if (r.status !== 0) process.stderr.write(r.stderr);
  }
}
