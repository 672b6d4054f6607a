// Unit tests of the histogram binning (www/js/binning.js, re-exported by www/js/histograms.js) in node.
// Importing histograms.js needs the vendored uPlot (`make dist` or `make www/vendor/uPlot.esm.js`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { histogram, range, fractions, binLabels } from '../../www/js/binning.js';

test('histogram: counts, edges, the hi value in the last bin', () => {
  const { counts, edges } = histogram([0, 0.1, 0.25, 0.5, 0.74, 0.75, 1], 0, 1, 4);
  assert.deepEqual(counts, [2, 1, 2, 2]);
  assert.deepEqual(edges, [0, 0.25, 0.5, 0.75, 1]);
  const twenty = histogram(new Float32Array([-1, 1]), -1, 1, 20);
  assert.equal(twenty.counts.length, 20);
  assert.equal(twenty.edges.length, 21);
  assert.equal(twenty.edges[20], 1, 'the last edge is exactly hi');
  assert.deepEqual([twenty.counts[0], twenty.counts[19]], [1, 1]);
});

test('histogram: values outside [lo, hi] go into the end bins; NaN and ±Infinity are skipped', () => {
  const { counts } = histogram([-100, -0.001, 0.5, 1.001, 7e9, NaN, Infinity, -Infinity], 0, 1, 2);
  assert.deepEqual(counts, [2, 3]);
  assert.deepEqual(histogram([NaN, NaN], 0, 1, 3).counts, [0, 0, 0]);
  assert.deepEqual(histogram([], 0, 1, 3).counts, [0, 0, 0]);
  const total = histogram(Float32Array.from({ length: 1000 }, (_, i) => (i - 500) / 100), -1, 1, 10).counts.reduce((a, b) => a + b);
  assert.equal(total, 1000, 'every finite value is counted once');
});

test('histogram: bad arguments are refused', () => {
  assert.throws(() => histogram([1], 1, 1, 5), RangeError, 'lo = hi');
  assert.throws(() => histogram([1], 2, 1, 5), RangeError, 'lo > hi');
  assert.throws(() => histogram([1], 0, NaN, 5), RangeError);
  assert.throws(() => histogram([1], 0, 1, 0), RangeError);
  assert.throws(() => histogram([1], 0, 1, 2.5), RangeError);
});

test('range: fixed bounds kept, null bounds from the data (both arrays, finite values only)', () => {
  assert.deepEqual(range([0.2, 0.9], [0.1], 0, 1), { lo: 0, hi: 1 });
  assert.deepEqual(range([-3, 2], [5, NaN, Infinity]), { lo: -3, hi: 5 });
  assert.deepEqual(range(new Float32Array([1, 2]), null, null, null), { lo: 1, hi: 2 });
  assert.deepEqual(range([0.2, 0.3], [0.25], 0, null), { lo: 0, hi: 0.3 });
  assert.deepEqual(range([-4, 1], [], null, 2), { lo: -4, hi: 2 });
  assert.throws(() => range([], [], 1, 1), RangeError);
});

test('range: all-equal values, no values, or data on the wrong side of a bound give a non-degenerate range', () => {
  const check = (r, what) => {
    assert.ok(Number.isFinite(r.lo) && Number.isFinite(r.hi) && r.lo < r.hi, `${what}: ${JSON.stringify(r)}`);
    return r;
  };
  const zero = check(range([0, 0, 0], [0]), 'all zeros');
  assert.ok(zero.lo < 0 && zero.hi > 0, 'centred on the value');
  const big = check(range([1000], [1000]), 'all 1000');
  assert.ok(big.lo < 1000 && big.hi > 1000 && big.hi - big.lo >= 100, 'wide enough to see');
  const negative = check(range([-7], null), 'one negative value');
  assert.ok(negative.lo < -7 && negative.hi > -7);
  check(range([], []), 'no data');
  assert.deepEqual(range([NaN], [Infinity]), { lo: 0, hi: 1 }, 'no finite data: the unit interval');
  const below = check(range([-5, -3], null, 0, null), 'data below a fixed lo');
  assert.equal(below.lo, 0);
  const above = check(range([5], null, null, 1), 'data above a fixed hi');
  assert.equal(above.hi, 1);
  const r = range([2, 2, 2], [2]);
  assert.deepEqual(histogram([2, 2, 2, 2], r.lo, r.hi, 20).counts.reduce((a, b) => a + b), 4, 'the range works with histogram');
});

test('fractions and binLabels', () => {
  assert.deepEqual(fractions([1, 3, 0, 4]), [0.125, 0.375, 0, 0.5]);
  assert.deepEqual(fractions([0, 0]), [0, 0]);
  assert.deepEqual(binLabels([0, 0.25, 0.5]), ['0.13', '0.38']);
  assert.deepEqual(binLabels([0, 100, 200]), ['50', '150']);
  assert.equal(binLabels(histogram([], -1, 1, 20).edges).length, 20);
});

test('histograms.js re-exports the binning functions', async () => {
  const vendored = new URL('../../www/vendor/uPlot.esm.js', import.meta.url);
  assert.ok(existsSync(vendored), 'www/vendor/uPlot.esm.js is missing: run `make www/vendor/uPlot.esm.js` (or `make dist`) first');
  const module = await import('../../www/js/histograms.js');
  assert.equal(module.histogram, histogram);
  assert.equal(module.range, range);
  assert.equal(typeof module.BarChart, 'function');
});
