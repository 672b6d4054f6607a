// The 2-D mode's page API: `window.ganPlayground` with the image mode's names where they make sense,
// served over postMessage inside an iframe by the image mode's bridge (../api.js: the same message
// shapes, `gan-playground:ready`, `:resize`), plus `:status` (at most 4 a second, always one after the
// last change) and `:lane` events (at most 4 a second per lane).
import { serveApi, emitStatus, emitLane } from '../api.js';

/** Commands served over postMessage and the most arguments each takes. */
export const PLANE_ARITY = {
  play: 0, pause: 0, step: 2, reset: 0, configure: 1, status: 0, addLane: 1, removeLane: 1,
  saveCheckpoint: 1, loadCheckpoint: 1, view: 1, rollback: 1, setAutosave: 1,
};

/**
 * `commands`: {play, pause, step, reset, configure, addLane, removeLane, saveCheckpoint, loadCheckpoint,
 * view, rollback, setAutosave, status} (and the test hooks with ?test=1); every command waits for `ready` (a promise of the page being built). Returns the API.
 */
export function installPlaneApi(ready, commands) {
  const after = (fn) => async (...args) => {
    await ready;
    return fn(...args);
  };
  const api = { ready: ready.then(() => commands.status()) };
  api.ready.catch(() => {}); // a failed start shows on the page; callers that await `ready` still see it
  // `status` and `view` answer at once (`view(i)`: lane i's last view, typed arrays; null before one).
  for (const [name, fn] of Object.entries(commands)) api[name] = ['status', 'view'].includes(name) ? fn : after(fn);
  return serveApi(Object.freeze(api), PLANE_ARITY);
}

/** Sends status events to an embedding page while `store` changes (nothing outside an iframe). */
export function planeStatusEvents(store, status) {
  if (window.parent === window) return;
  let last = 0;
  let timer = null;
  store.subscribe((state, change) => {
    if (change.type === 'planeStats') {
      const i = state.plane.lanes.findIndex((l) => l.id === change.lane);
      if (i >= 0) emitLane(status().lanes[i]);
    }
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      last = performance.now();
      emitStatus(status());
    }, Math.max(0, last + 250 - performance.now()));
  });
}
