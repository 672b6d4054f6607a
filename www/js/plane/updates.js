// The 2-D mode's named store updates (merged into store.js's UPDATES, so the store stays the only
// writer of page state). `state.plane` holds the mode: config, lanes, their last views and curves. No DOM.

/** Curve points kept per lane and series (halved when full). */
export const MAX_CURVE = 2000;
/** Layers of the plane view, in the order the toggles list them. */
export const LAYERS = ['heatmap', 'real', 'fake', 'arrows', 'manifold'];

const push = (list, point) => {
  list.push(point);
  if (list.length > MAX_CURVE) list.splice(0, list.length, ...list.filter((_, i) => i % 2 === 0));
};

const newPlaneLane = (id, objective, color) => ({
  id, objective, color, config: null, error: null, step: 0, stats: null, stepsPerSec: 0, diverged: false, view: null,
  curves: { loss: [], dist: [] },
});

const laneOf = (state, id) => state.plane.lanes.find((l) => l.id === id) ?? null;

export const PLANE_UPDATES = {
  /** The mode's initial state from the URL (`plane/url.js`). */
  planeInit(state, { config, options }) {
    state.plane = {
      phase: 'loading', error: null, limits: null, objectives: [], config, options, running: false, stepping: 0,
      lanes: [], nextId: 1, layers: Object.fromEntries(LAYERS.map((l) => [l, true])), strokes: [], fps: 0, built: 0,
    };
    state.plane.strokes = config.points.length ? [config.points.length] : [];
  },
  planeReady(state, { limits, objectives }) {
    Object.assign(state.plane, { phase: 'ready', limits, objectives });
  },
  planeFailed(state, { message }) {
    Object.assign(state.plane, { phase: 'failed', error: message, running: false });
  },
  /** (Re)builds the lane list from the config's objectives; every lane starts again from step 0. */
  planeRebuild(state, { colors }) {
    const p = state.plane;
    p.lanes = p.config.lanes.map((objective, i) => newPlaneLane(p.nextId++, objective, colors[i % colors.length]));
    p.built += 1;
  },
  planeBuilt(state, { lane, config, error }) {
    const l = laneOf(state, lane);
    if (!l) return null;
    Object.assign(l, { config: config ?? null, error: error ?? null });
    return { lane };
  },
  planeStats(state, { lane, stats, stepsPerSec }) {
    const l = laneOf(state, lane);
    if (!l) return null;
    for (const s of stats) push(l.curves.loss, { step: s.step, d: s.d_loss, g: s.g_loss });
    const last = stats.at(-1);
    if (last) Object.assign(l, { stats: last, step: last.step, diverged: l.diverged || !last.finite });
    // Rounds are short and their timing noisy: the figure shown is a moving average.
    if (Number.isFinite(stepsPerSec)) l.stepsPerSec = l.stepsPerSec ? 0.9 * l.stepsPerSec + 0.1 * stepsPerSec : stepsPerSec;
    return { lane };
  },
  planeView(state, { lane, view }) {
    const l = laneOf(state, lane);
    if (!l) return null;
    const measured = Number.isFinite(view.kl);
    // A view without the distances keeps the last ones measured.
    l.view = measured ? view : { ...view, kl: l.view?.kl ?? null, js: l.view?.js ?? null, swd: l.view?.swd ?? null };
    if (measured) push(l.curves.dist, { step: view.step, kl: view.kl, js: view.js, swd: view.swd });
    return { lane };
  },
  planeRunning(state, { running, stepping = 0 }) {
    Object.assign(state.plane, { running, stepping });
  },
  /** A change of the shared settings (dataset, networks, objectives, …): the lanes are rebuilt after it. */
  planeConfig(state, { changes }) {
    Object.assign(state.plane.config, changes);
    if (changes.dataset && changes.dataset !== 'drawn') state.plane.strokes = [];
  },
  planeOptions(state, { changes }) {
    Object.assign(state.plane.options, changes);
  },
  planeLayer(state, { layer, on }) {
    state.plane.layers[layer] = on;
  },
  /** Drawing: `add` appends points to the current stroke (`start` begins one), `undo` drops the last stroke, `clear` all. */
  planePoints(state, { add = [], start = false, undo = false, clear = false, max = 1024 }) {
    const p = state.plane;
    const pts = p.config.points;
    if (clear) {
      p.config.points = [];
      p.strokes = [];
    } else if (undo) {
      p.strokes.pop();
      p.config.points = pts.slice(0, p.strokes.at(-1) ?? 0);
    } else {
      const room = Math.max(0, max - pts.length);
      p.config.points = pts.concat(add.slice(0, room));
      if (start || p.strokes.length === 0) p.strokes.push(p.config.points.length);
      else p.strokes[p.strokes.length - 1] = p.config.points.length;
    }
  },
  planeFps(state, { fps }) {
    state.plane.fps = fps;
  },
};
