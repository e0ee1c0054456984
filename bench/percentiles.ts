// Latency summaries by nearest rank: no interpolation, so every reported figure is a value actually observed.

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { count: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return { count: sorted.length, p50: rank(50), p99: rank(99), max: sorted[sorted.length - 1]!, mean: total / sorted.length };
}
