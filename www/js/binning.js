// Histogram binning without a DOM (importable in node): counts per bin, data-driven ranges, bin labels.

/**
 * Counts `values` into `bins` equal bins over [lo, hi]. Values below lo go into the first bin, values
 * above hi into the last; NaN and ±Infinity are skipped. `edges` has bins + 1 entries (edges[0] = lo,
 * edges[bins] = hi). Throws a RangeError for a bin count that is not a positive integer or a range that
 * is not finite with lo < hi (use `range` to get one from the data).
 */
export function histogram(values, lo, hi, bins) {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`histogram: bins must be a positive integer, got ${bins}`);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) throw new RangeError(`histogram: need finite lo < hi, got [${lo}, ${hi}]`);
  const counts = new Array(bins).fill(0);
  const width = (hi - lo) / bins;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    const i = Math.floor((v - lo) / width);
    counts[i < 0 ? 0 : i >= bins ? bins - 1 : i] += 1;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  return { counts, edges };
}

/** Half-width of the range around a single value `v`: 10 % of its size, at least 0.5. */
const halfWidth = (v) => Math.max(Math.abs(v) * 0.1, 0.5);

/**
 * The range [lo, hi] for a histogram of `valuesA` and `valuesB` (either may be null or empty): a fixed
 * bound (the objective's score range, e.g. 0 and 1 for a probability) is kept, a null bound is taken from
 * the finite values of both arrays. The result always has finite lo < hi: all-equal values v give
 * v ± max(|v| / 10, 0.5); no finite values give [0, 1] (or a unit interval next to the fixed bound).
 */
export function range(valuesA, valuesB, lo = null, hi = null) {
  let min = Infinity;
  let max = -Infinity;
  for (const values of [valuesA, valuesB]) {
    if (!values) continue;
    for (const v of values) {
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const fixedLo = Number.isFinite(lo);
  const fixedHi = Number.isFinite(hi);
  if (fixedLo && fixedHi) {
    if (lo < hi) return { lo, hi };
    throw new RangeError(`range: fixed bounds need lo < hi, got [${lo}, ${hi}]`);
  }
  const found = min <= max;
  let a = fixedLo ? lo : found ? min : null;
  let b = fixedHi ? hi : found ? max : null;
  if (a === null && b === null) return { lo: 0, hi: 1 };
  if (a === null) a = Math.min(b - halfWidth(b), found ? min : Infinity);
  if (b === null) b = Math.max(a + halfWidth(a), found ? max : -Infinity);
  if (a < b) return { lo: a, hi: b };
  // Degenerate: every value equal, or the data entirely on the wrong side of a fixed bound.
  if (fixedLo) return { lo: a, hi: a + 2 * halfWidth(a) };
  if (fixedHi) return { lo: b - 2 * halfWidth(b), hi: b };
  return { lo: a - halfWidth(a), hi: a + halfWidth(a) };
}

/** `counts` as fractions of their total (all zeros when the total is 0). */
export function fractions(counts) {
  const total = counts.reduce((s, c) => s + c, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

/** Short labels for the bins' centres, with as many decimals as the bin width needs. */
export function binLabels(edges) {
  const width = Math.abs(edges[1] - edges[0]) || 1;
  const digits = Math.min(6, Math.max(0, 1 - Math.floor(Math.log10(width))));
  return edges.slice(1).map((e, i) => ((edges[i] + e) / 2).toFixed(digits));
}
