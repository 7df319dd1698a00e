/** The text of `coinm-guard history --help`: options, formats, examples and exit codes. */
import { TARGET_HELP } from "../../cli-context.js";

export const HELP = `Usage: coinm-guard history --account NAME [options]

Prints an account's snapshots between two times, oldest first: one row per snapshot and margin
pool (an asset's cross positions, or one isolated position) with its margin ratio, distance to
liquidation and level; or per asset or open position. Rows stream as they are read, so any
range works in constant memory; pipe into head, a file or a spreadsheet.

Options:
  --account NAME         account alias, as in the stack's ACCOUNTS (required; case-sensitive,
                         an unknown name fails and lists the known accounts)
  --asset ASSET          only this asset's pools, positions or figures (repeat or
                         comma-separate for several; any case)
  --pool POOL            only this pool: its id or label, any case ("BTC" or "BTC cross",
                         "BTCUSD_PERP long isolated" or "BTCUSD_PERP#LONG"); repeatable
  --positions            one row per open position (mark, liquidation price, distance)
  --assets               one row per asset with Binance's figures (the view before pools)
  --since WHEN           start: a duration back from now (30m, 24h, 7d, 2w) or an ISO 8601
                         date or time, UTC unless it has an offset (default: 24h)
  --until WHEN           end, same forms (default: now); both ends are inclusive, and a date
                         alone means the whole day (--until 2026-10-31 keeps October 31)
  --format FORMAT        table (default), csv or json (any case)
  --wide                 table: add the remaining columns (wider than 80 columns)
  --newest-first         newest snapshots first
  --limit N              stop after N snapshots
  --chart                draw each pool's margin ratio over the range in the terminal instead
  --distance             chart the distance to liquidation instead of the margin ratio
  --out FILE             write a chart to FILE.png or FILE.html (rows still go to stdout with
                         --format; otherwise only the file is written). Charts span the range
                         asked for, shade the spans with no snapshot for over 2.5 schedule
                         intervals ("not monitored") and draw liquidation (100%; distance 0%)
  --levels LIST          levels drawn on charts, as ratios or with --distance as distances
                         (default: the stack's, else warning=50%,critical=80%, or for
                         distances warning=10%,critical=3%)

${TARGET_HELP}

Formats:
  table  aligned columns; RATIO "∞" means the collateral is zero or negative, DISTANCE "-"
         that there is no liquidation price. Snapshots from before pools show each asset's
         ratio as "BTC (asset)"
  csv    header row, then per pool takenAt,account,pool,kind,asset,label,ratio,distance,level,
         requirement,collateral (--positions, --assets: see docs/cli.md); ratios and distances
         are fractions (0.5342 = 53.42%), empty when there is none
  json   an array of snapshots: {account, takenAt, fetchedAt, openPositions, usedWeight,
         assets: [{asset, marginRatio, level, raw}], pools: [{id, kind, asset, label, ratio,
         distance, level, requirement, collateral}], positions: [{symbol, positionSide, ...,
         asset, pool, side, distance}]}

Examples:
  coinm-guard history --demo --account demo --since 1h
  coinm-guard history --account main --since 7d --asset BTC --format csv > btc.csv
  coinm-guard history --account main --since 1h --positions
  coinm-guard history --account main --since 7d --pool "BTCUSD_PERP long isolated" --distance --chart
  coinm-guard history --account main --since 2026-10-01 --until 2026-10-31 --out october.html
  coinm-guard history --account main --since 24h --chart

Exit codes: 0 ok (also when nothing matched in the range, or the reader of stdout went away),
1 error (also an account the table has nothing for), 2 usage error.`;
