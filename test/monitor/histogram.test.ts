import { describe, expect, it } from 'vitest';
import { BUCKET_BOUNDS_MS, BUCKETS, bucketOf, emptyBuckets, mergeBuckets, quantile } from '../../src/monitor/histogram.js';

describe('rollup histograms', () => {
  it('puts a value in the first bucket whose bound is at least the value', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(1)).toBe(0);
    expect(bucketOf(1.01)).toBe(1);
    expect(bucketOf(250)).toBe(BUCKET_BOUNDS_MS.indexOf(250));
    expect(bucketOf(10 * 3_600_000)).toBe(BUCKETS - 1);
  });

  it('merges by element-wise sums and reads quantiles back within a bucket', () => {
    const a = emptyBuckets();
    const b = emptyBuckets();
    for (let i = 0; i < 90; i++) a[bucketOf(7)] = (a[bucketOf(7)] ?? 0) + 1; // 5..10 ms
    for (let i = 0; i < 10; i++) b[bucketOf(400)] = (b[bucketOf(400)] ?? 0) + 1; // 250..500 ms
    const m = mergeBuckets(emptyBuckets(), a);
    mergeBuckets(m, b);
    const p50 = quantile(m, 0.5) as number;
    const p99 = quantile(m, 0.99) as number;
    expect(p50).toBeGreaterThan(5);
    expect(p50).toBeLessThanOrEqual(10);
    expect(p99).toBeGreaterThan(250);
    expect(p99).toBeLessThanOrEqual(500);
    expect(quantile(emptyBuckets(), 0.5)).toBeNull();
  });
});
