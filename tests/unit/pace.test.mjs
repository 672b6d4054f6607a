// Unit tests of the own-pace share (www/js/pace.js): lanes of different speeds get equal time, whole steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownPaceSteps } from '../../www/js/pace.js';

/** Steps and time per lane over `rounds` rounds of lanes whose steps take `ms` each. */
function simulate(ms, rounds, n = Infinity) {
  const slots = ms.map((msPerStep) => ({ msPerStep, credit: 0 }));
  const steps = ms.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    const k = ownPaceSteps(slots, n, 150);
    assert.ok(k.some((x) => x > 0), 'every round trains a lane');
    k.forEach((x, i) => { steps[i] += x; });
  }
  return { steps, time: steps.map((s, i) => s * ms[i]) };
}

test('a fast lane is not held back by a slow one: equal time, not equal steps', () => {
  const { steps, time } = simulate([400, 300, 40], 300);
  assert.ok(steps[2] > 9 * steps[0], `steps ${steps}`);
  for (const t of time) assert.ok(Math.abs(t - time[0]) <= 400, `time ${time}`);
});

test('lanes faster than the round get about 150 ms of steps each, at most 50 and at most n', () => {
  assert.deepEqual(ownPaceSteps([{ msPerStep: 10, credit: 0 }, { msPerStep: 1, credit: 0 }], Infinity, 150), [15, 50]);
  assert.deepEqual(ownPaceSteps([{ msPerStep: 10, credit: 0 }], 3, 150), [3]);
});

test('every lane trains when all are slower than a round, in proportion to its speed', () => {
  const { steps } = simulate([1000, 500], 60);
  assert.ok(steps[0] > 0 && Math.abs(steps[1] - 2 * steps[0]) <= 2, `steps ${steps}`);
});
