/**
 * Where the monitor was not watching: spans between snapshots much longer than its schedule.
 *
 * The schedule interval is derived from the data (the median spacing of the snapshots seen),
 * not taken from configuration, so a chart of an old range is judged by the cadence it was
 * recorded at. A gap is a spacing longer than GAP_INTERVALS intervals: one missed cycle is
 * normal jitter of a scheduler and a retry, three in a row means the account was not read.
 *
 * Memory stays small for any range: spacings are counted in a histogram of two significant
 * digits, and only spacings well above the smallest seen are kept as candidate gaps.
 */

/** A spacing longer than this many intervals is a gap ("not monitored"). */
export const GAP_INTERVALS = 2.5;

export interface Span {
  readonly from: number;
  readonly to: number;
}

export interface Coverage {
  /** The median spacing of the snapshots; undefined with fewer than two snapshots. */
  readonly intervalMs: number | undefined;
  /** Spans inside the range with no snapshot for more than GAP_INTERVALS intervals, in time order. */
  readonly gaps: readonly Span[];
}

/** Candidates are kept only above this multiple of the smallest spacing seen so far. */
const CANDIDATE_FACTOR = 1.5;
const MAX_CANDIDATES = 20_000;

export class GapTracker {
  private prev: number | undefined;
  private first: number | undefined;
  private last: number | undefined;
  private minSpacing = Number.POSITIVE_INFINITY;
  private readonly histogram = new Map<number, number>();
  private candidates: Span[] = [];

  /** One snapshot time; snapshots arrive in time order, oldest or newest first. */
  add(t: number): void {
    this.first = this.first === undefined ? t : Math.min(this.first, t);
    this.last = this.last === undefined ? t : Math.max(this.last, t);
    const prev = this.prev;
    this.prev = t;
    if (prev === undefined || prev === t) return;
    const from = Math.min(prev, t);
    const to = Math.max(prev, t);
    const spacing = to - from;
    const key = Number(spacing.toPrecision(2));
    this.histogram.set(key, (this.histogram.get(key) ?? 0) + 1);
    if (spacing < this.minSpacing) {
      this.minSpacing = spacing;
      this.candidates = this.candidates.filter((c) => c.to - c.from > CANDIDATE_FACTOR * spacing);
    }
    if (spacing > CANDIDATE_FACTOR * this.minSpacing) {
      this.candidates.push({ from, to });
      // Irregular data could make every spacing a candidate: keep only those that are gaps by now.
      if (this.candidates.length > MAX_CANDIDATES) {
        const threshold = GAP_INTERVALS * (this.medianSpacing() ?? 0);
        this.candidates = this.candidates.filter((c) => c.to - c.from > threshold);
      }
    }
  }

  private medianSpacing(): number | undefined {
    let total = 0;
    for (const n of this.histogram.values()) total += n;
    if (total === 0) return undefined;
    let seen = 0;
    for (const [spacing, n] of [...this.histogram].sort(([a], [b]) => a - b)) {
      seen += n;
      if (seen * 2 >= total) return spacing;
    }
    return undefined;
  }

  /**
   * The interval and the gaps within [from, to], the range that was asked for: the time before
   * the first snapshot and after the last count as gaps when longer than the threshold too.
   */
  coverage(range: Span): Coverage {
    const intervalMs = this.medianSpacing();
    if (intervalMs === undefined || this.first === undefined || this.last === undefined)
      return { intervalMs, gaps: [] };
    const threshold = GAP_INTERVALS * intervalMs;
    const gaps: Span[] = [];
    if (this.first - range.from > threshold) gaps.push({ from: range.from, to: this.first });
    const inner = this.candidates.filter((c) => c.to - c.from > threshold).sort((a, b) => a.from - b.from);
    gaps.push(...inner);
    if (range.to - this.last > threshold) gaps.push({ from: this.last, to: range.to });
    return { intervalMs, gaps };
  }
}

/**
 * Split a time-ordered line into the runs drawn joined: a new run starts where a gap lies
 * between two points, or where the points are further apart than `maxJoinMs` (the series was
 * absent from the snapshots in between).
 */
export function splitAtGaps<P extends readonly [number, number]>(
  points: readonly P[],
  gaps: readonly Span[],
  maxJoinMs: number,
): P[][] {
  const runs: P[][] = [];
  let run: P[] = [];
  let g = 0;
  let prev: P | undefined;
  for (const p of points) {
    if (prev) {
      while (g < gaps.length && (gaps[g]?.to ?? 0) <= prev[0]) g++;
      const gap = gaps[g];
      const across = gap !== undefined && gap.from >= prev[0] && gap.to <= p[0];
      if (across || p[0] - prev[0] > maxJoinMs) {
        runs.push(run);
        run = [];
      }
    }
    run.push(p);
    prev = p;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
