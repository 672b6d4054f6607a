// Lanes at their own pace in one worker (worker-lanes.js): each round every lane earns the same time and
// spends it on whole steps, so a slow lane trains every few rounds instead of holding back a fast one. No DOM.

/**
 * Each slot's generator steps this round (at most `n`, at most 50): `slot.msPerStep` is its measured step
 * time, `slot.credit` the time it has saved (updated here). Each earns `target` ms; at most one step's
 * worth is kept over (a lane back from a pause does not rush). When no lane can afford a step, every lane
 * gets the same extra time until one can, so the shares of time stay equal.
 */
export function ownPaceSteps(slots, n, target) {
  const ms = (slot) => Math.max(slot.msPerStep, 0.1);
  const earn = (slot, t) => { slot.credit = Math.min(slot.credit + t, target + ms(slot)); };
  const afford = () => slots.map((slot) => Math.min(n, 50, Math.floor(slot.credit / ms(slot))));
  for (const slot of slots) earn(slot, target);
  let steps = afford();
  if (steps.every((k) => k === 0)) {
    const lack = Math.min(...slots.map((slot) => ms(slot) - slot.credit));
    for (const slot of slots) earn(slot, lack);
    steps = afford();
  }
  slots.forEach((slot, i) => { slot.credit = Math.max(0, slot.credit - steps[i] * ms(slot)); });
  return steps;
}
