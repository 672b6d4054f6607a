// The 2-D mode's named store updates (merged into store.js's UPDATES, so the store stays the only
// writer of page state). `state.plane` holds the mode: config, lanes, their last views and curves; the
// plane views' time-lapse frames go into the image mode's TimeLapse store (`state.timelapse`). No DOM.
import { packView, PLANE_TIMELAPSE_EVERY } from './frames.js';

/** Curve points kept per lane and series (halved when full). */
export const MAX_CURVE = 2000;
/** Notices shown at once. */
export const MAX_NOTICES = 3;
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
  planeInit(state, { config, options, notices = [] }) {
    state.timelapse.setEvery(PLANE_TIMELAPSE_EVERY);
    state.plane = {
      phase: 'loading', error: null, limits: null, objectives: [], config, options, running: false, stepping: 0,
      notices: notices.length ? [{ id: 1, text: notices.join('\n'), level: 'warn' }] : [], nextNotice: 2,
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
    for (const l of p.lanes) state.timelapse.removeLane(l.id);
    p.lanes = p.config.lanes.map((objective, i) => newPlaneLane(p.nextId++, objective, colors[i % colors.length]));
    p.built += 1;
  },
  /** A lane about to be loaded from a checkpoint: its entry, in the first free colour, until the worker answers. */
  planeLoading(state, { colors }) {
    const p = state.plane;
    const used = new Set(p.lanes.map((l) => l.color));
    const lane = newPlaneLane(p.nextId++, null, colors.find((c) => !used.has(c)) ?? colors[0]);
    lane.loading = true;
    p.lanes.push(lane);
    return { lane: lane.id };
  },
  /** The worker built the lane from its file: its objective joins the page's list; the file's curves come back. */
  planeLoaded(state, { lane, config, step, curves }) {
    const l = laneOf(state, lane);
    if (!l) return null;
    Object.assign(l, { objective: config.objective, config, step, loading: false, loadedStep: step });
    if (Array.isArray(curves?.loss) && Array.isArray(curves?.dist)) l.curves = { loss: curves.loss, dist: curves.dist };
    state.plane.config.lanes = state.plane.lanes.filter((x) => x.objective).map((x) => x.objective);
    return { lane };
  },
  /** A refused file: its lane entry goes. */
  planeDrop(state, { lane }) {
    state.plane.lanes = state.plane.lanes.filter((l) => l.id !== lane);
    state.timelapse.removeLane(lane);
    return { lane };
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
    state.timelapse.record(lane, view.step, packView(view));
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
  /** A notice (the URL's problems, a loaded or refused file); the newest `MAX_NOTICES` are kept. */
  planeNotice(state, { text, level = 'info' }) {
    const p = state.plane;
    p.notices.push({ id: p.nextNotice++, text, level });
    p.notices.splice(0, Math.max(0, p.notices.length - MAX_NOTICES));
  },
  planeDismiss(state, { id }) {
    state.plane.notices = state.plane.notices.filter((n) => n.id !== id);
  },
};
