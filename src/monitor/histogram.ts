/**
 * Fixed, log-spaced (1-2-5 per decade) millisecond buckets shared by the rollups, the
 * timeseries reader and the Prometheus histograms. Fixed bounds make histograms
 * mergeable: the histogram of any set of rows is the element-wise sum of their bucket
 * counts, so percentiles over any window are read back without keeping samples.
 * Changing the bounds needs a migration of the stored arrays: append, never reorder.
 */
export const BUCKET_BOUNDS_MS: readonly number[] = [
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000,
];

/** Bucket count: one per bound, plus the overflow bucket (+Inf). */
export const BUCKETS = BUCKET_BOUNDS_MS.length + 1;

export function emptyBuckets(): number[] {
  return new Array<number>(BUCKETS).fill(0);
}

/** Index of the first bucket whose upper bound is >= ms. */
export function bucketOf(ms: number): number {
  let lo = 0;
  let hi = BUCKET_BOUNDS_MS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((BUCKET_BOUNDS_MS[mid] as number) >= ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Adds `from` into `into` element-wise (arrays of different lengths: the longer wins). */
export function mergeBuckets(into: number[], from: readonly number[]): number[] {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
  return into;
}

/**
 * The q-quantile (0..1) of a bucketed distribution, interpolated linearly inside its
 * bucket (as Prometheus' histogram_quantile does). Null when there are no samples; the
 * overflow bucket reports its lower bound.
 */
export function quantile(buckets: readonly number[], q: number): number | null {
  let total = 0;
  for (const n of buckets) total += n;
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const n = buckets[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const lower = i === 0 ? 0 : (BUCKET_BOUNDS_MS[i - 1] as number);
      const upper = BUCKET_BOUNDS_MS[i];
      if (upper === undefined) return lower;
      return lower + ((upper - lower) * (rank - seen)) / n;
    }
    seen += n;
  }
  return BUCKET_BOUNDS_MS[BUCKET_BOUNDS_MS.length - 1] as number;
}
