/** Alert levels for charts: the monitor's defaults, or `--levels warning=50%,critical=80%`. */
import { type AlertLevel, DEFAULT_ALERT_LEVELS, parseAlertLevels } from "../risk/levels.js";

/**
 * Parse "name=ratio" pairs separated by commas; a ratio is 0.5 or 50%. Also accepts the
 * ALERT_LEVELS JSON the monitor reads. Returns levels sorted by ratio, or an error message.
 */
export function parseLevelsOption(text: string | undefined): { levels: AlertLevel[] } | { error: string } {
  if (text === undefined) return { levels: [...DEFAULT_ALERT_LEVELS] };
  const t = text.trim();
  let json = t;
  if (!t.startsWith("[")) {
    const pairs = t
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== "");
    const entries: { name: string; ratio: number }[] = [];
    for (const pair of pairs) {
      const m = /^([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)\s*(%?)$/.exec(pair);
      if (!m) return { error: `--levels: "${pair}" is not name=ratio (e.g. warning=50%)` };
      entries.push({ name: m[1] ?? "", ratio: Number(m[2]) / (m[3] ? 100 : 1) });
    }
    json = JSON.stringify(entries);
  }
  try {
    return { levels: parseAlertLevels(json, "--levels") };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
