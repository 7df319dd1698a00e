/**
 * Bounded-memory downsampling of ratio series for charts. Points go into time buckets of one
 * shared width; each bucket keeps only its minimum and maximum (with their times) and its last
 * value, so a spike inside a bucket still shows. When the buckets would span more than
 * `maxBuckets`, the width doubles and neighbouring buckets merge, so memory is O(maxBuckets x
 * series) whatever the length of the range, and points may arrive in either time order.
 *
 * A null ratio (margin balance <= 0, beyond every level) is stored as +Infinity.
 */

export interface Bucket {
  /** Bucket index at the current width. */
  index: number;
  minT: number;
  min: number;
  maxT: number;
  max: number;
  lastT: number;
  last: number;
  count: number;
}

export interface SeriesSummary {
  readonly name: string;
  readonly count: number;
  /** Largest finite ratio and when; undefined if every point was beyond every level. */
  readonly max?: { readonly t: number; readonly value: number };
  /** Smallest finite value and when (the worst distance to liquidation). */
  readonly min?: { readonly t: number; readonly value: number };
  readonly last: { readonly t: number; readonly value: number };
  /** Points whose ratio was null (margin balance <= 0). */
  readonly beyond: number;
}

interface Series {
  readonly buckets: Map<number, Bucket>;
  count: number;
  beyond: number;
  maxFinite?: { t: number; value: number };
  minFinite?: { t: number; value: number };
  last?: { t: number; value: number };
}

export class Downsampler {
  private origin: number | undefined;
  private width: number;
  private minIndex = Number.POSITIVE_INFINITY;
  private maxIndex = Number.NEGATIVE_INFINITY;
  private readonly series = new Map<string, Series>();
  private tMin = Number.POSITIVE_INFINITY;
  private tMax = Number.NEGATIVE_INFINITY;

  constructor(
    readonly maxBuckets = 1024,
    initialWidthMs = 1,
  ) {
    if (!(maxBuckets >= 2)) throw new RangeError("maxBuckets must be at least 2");
    this.width = initialWidthMs;
  }

  /** Width of one bucket in milliseconds (grows as the range grows). */
  get bucketWidthMs(): number {
    return this.width;
  }

  /** Earliest and latest time seen, or undefined before the first point. */
  get timeRange(): { readonly from: number; readonly to: number } | undefined {
    return this.tMin <= this.tMax ? { from: this.tMin, to: this.tMax } : undefined;
  }

  add(name: string, t: number, ratio: number | null): void {
    const value = ratio === null ? Number.POSITIVE_INFINITY : ratio;
    this.origin ??= t;
    this.tMin = Math.min(this.tMin, t);
    this.tMax = Math.max(this.tMax, t);
    let s = this.series.get(name);
    if (!s) {
      s = { buckets: new Map(), count: 0, beyond: 0 };
      this.series.set(name, s);
    }
    s.count++;
    if (ratio === null) s.beyond++;
    else {
      if (!s.maxFinite || ratio > s.maxFinite.value) s.maxFinite = { t, value: ratio };
      if (!s.minFinite || ratio < s.minFinite.value) s.minFinite = { t, value: ratio };
    }
    if (!s.last || t >= s.last.t) s.last = { t, value };

    let index = Math.floor((t - this.origin) / this.width);
    while (Math.max(this.maxIndex, index) - Math.min(this.minIndex, index) + 1 > this.maxBuckets) {
      this.coarsen();
      index = Math.floor((t - this.origin) / this.width);
    }
    this.minIndex = Math.min(this.minIndex, index);
    this.maxIndex = Math.max(this.maxIndex, index);
    const b = s.buckets.get(index);
    if (!b) {
      s.buckets.set(index, { index, minT: t, min: value, maxT: t, max: value, lastT: t, last: value, count: 1 });
      return;
    }
    b.count++;
    if (value < b.min) {
      b.min = value;
      b.minT = t;
    }
    if (value > b.max) {
      b.max = value;
      b.maxT = t;
    }
    if (t >= b.lastT) {
      b.last = value;
      b.lastT = t;
    }
  }

  /** Double the bucket width, merging bucket pairs. */
  private coarsen(): void {
    this.width *= 2;
    for (const s of this.series.values()) {
      const merged = new Map<number, Bucket>();
      for (const b of s.buckets.values()) {
        const index = Math.floor(b.index / 2);
        const into = merged.get(index);
        if (!into) {
          merged.set(index, { ...b, index });
          continue;
        }
        mergeInto(into, b);
      }
      s.buckets.clear();
      for (const [k, v] of merged) s.buckets.set(k, v);
    }
    this.minIndex = Math.floor(this.minIndex / 2);
    this.maxIndex = Math.floor(this.maxIndex / 2);
  }

  names(): string[] {
    return [...this.series.keys()].sort();
  }

  /** Buckets of one series in time order. */
  buckets(name: string): Bucket[] {
    const s = this.series.get(name);
    return s ? [...s.buckets.values()].sort((a, b) => a.index - b.index) : [];
  }

  summary(name: string): SeriesSummary | undefined {
    const s = this.series.get(name);
    if (!s?.last) return undefined;
    return {
      name,
      count: s.count,
      last: s.last,
      beyond: s.beyond,
      ...(s.maxFinite ? { max: s.maxFinite } : {}),
      ...(s.minFinite ? { min: s.minFinite } : {}),
    };
  }
}

export function mergeInto(into: Bucket, b: Bucket): void {
  into.count += b.count;
  if (b.min < into.min) {
    into.min = b.min;
    into.minT = b.minT;
  }
  if (b.max > into.max) {
    into.max = b.max;
    into.maxT = b.maxT;
  }
  if (b.lastT >= into.lastT) {
    into.last = b.last;
    into.lastT = b.lastT;
  }
}

/** A bucket's points in time order for drawing a line: its min and max (one point if equal). */
export function bucketPoints(b: Bucket): [number, number][] {
  if (b.minT === b.maxT || b.min === b.max) return [[b.maxT, b.max]];
  return b.minT < b.maxT
    ? [
        [b.minT, b.min],
        [b.maxT, b.max],
      ]
    : [
        [b.maxT, b.max],
        [b.minT, b.min],
      ];
}

/**
 * Re-bucket time-ordered buckets into `columns` equal slices of [from, to] for a coarser view
 * (the terminal chart). Each column gets the min/max of the buckets whose points fall in it.
 */
export function toColumns(
  buckets: readonly Bucket[],
  from: number,
  to: number,
  columns: number,
): ({ min: number; max: number } | undefined)[] {
  const out: ({ min: number; max: number } | undefined)[] = new Array(columns).fill(undefined);
  const span = Math.max(1, to - from);
  const col = (t: number) => Math.min(columns - 1, Math.max(0, Math.floor(((t - from) / span) * columns)));
  for (const b of buckets) {
    for (const [t, v] of [
      [b.minT, b.min],
      [b.maxT, b.max],
    ] as const) {
      const i = col(t);
      const c = out[i];
      if (!c) out[i] = { min: v, max: v };
      else {
        c.min = Math.min(c.min, v);
        c.max = Math.max(c.max, v);
      }
    }
  }
  return out;
}
