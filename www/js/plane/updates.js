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
  id, objective, color, config: null, error: null, step: 0, stats: null, stepsPerSec: 0, view: null,
  diverged: null, // the step it diverged at, while it is stopped there
  snapshotStep: 0, // the step a rollback returns to
  checkpoint: null, // {step, seq, bytes}: the lane's latest state the worker sent (what autosave writes)
  curves: { loss: [], dist: [] },
});

/**
 * A lane's points up to `step` (a rollback or a resumed run drops the later ones); one distance point
 * per step (the last one measured: the view a rollback sends measures its step again).
 */
const upTo = (curves, step) => ({
  loss: curves.loss.filter((q) => q.step <= step),
  dist: [...new Map(curves.dist.filter((q) => q.step <= step).map((q) => [q.step, q])).values()],
});

const laneOf = (state, id) => state.plane.lanes.find((l) => l.id === id) ?? null;

export const PLANE_UPDATES = {
  /** The mode's initial state from the URL (`plane/url.js`). */
  planeInit(state, { config, options, notices = [] }) {
    state.timelapse.setEvery(PLANE_TIMELAPSE_EVERY);
    if (options.autosave === 0) state.autosave.status = 'off';
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
  /** Seconds between autosaves (0: off), once the module's limits have read `autosave=`. */
  planeAutosaveEvery(state, { seconds }) {
    state.plane.options.autosave = seconds;
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
  planeLoaded(state, { lane, config, step, curves, restored = false }) {
    const l = laneOf(state, lane);
    if (!l) return null;
    Object.assign(l, { objective: config.objective, config, step, loading: false, snapshotStep: step });
    if (!restored) l.loadedStep = step;
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
    if (last) Object.assign(l, { stats: last, step: last.step });
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
    const point = { step: view.step, kl: view.kl, js: view.js, swd: view.swd };
    // A view of the same step again (a loaded or resumed lane's first) replaces its point.
    if (measured && l.curves.dist.at(-1)?.step === view.step) l.curves.dist[l.curves.dist.length - 1] = point;
    else if (measured) push(l.curves.dist, point);
    state.timelapse.record(lane, view.step, packView(view));
    return { lane };
  },
  /** The lane stopped at its first non-finite step; it can roll back to `snapshotStep`. */
  planeDiverged(state, { lane, step, snapshotStep }) {
    const l = laneOf(state, lane);
    if (!l) return null;
    Object.assign(l, { diverged: step, snapshotStep, stepsPerSec: 0 });
    return { lane };
  },
  /** The lane is back at its snapshot of `step`: what it recorded after that goes. */
  planeRolledBack(state, { lane, step }) {
    const l = laneOf(state, lane);
    if (!l) return null;
    Object.assign(l, { diverged: null, step, stats: null, curves: upTo(l.curves, step) });
    return { lane };
  },
  planeCheckpoint(state, { lane, step, seq, bytes }) {
    const l = laneOf(state, lane);
    if (!l) return null;
    l.checkpoint = { step, seq, bytes };
    return { lane };
  },
  /**
   * A saved run (plane/autosave.js) replaces the lanes: its config and speed, and per lane its config,
   * step, curves and time-lapse frames, before the worker loads each lane's checkpoint.
   */
  planeRestore(state, { record, colors }) {
    const p = state.plane;
    const { config, speed } = record.options;
    p.config = { ...p.config, ...config, points: Array.isArray(config.points) ? config.points : [] };
    p.strokes = p.config.points.length ? [p.config.points.length] : [];
    if (Number.isFinite(speed)) p.options.speed = speed;
    for (const l of p.lanes) state.timelapse.removeLane(l.id);
    p.lanes = record.lanes.map((saved, i) => {
      const l = newPlaneLane(p.nextId++, saved.config.objective, colors[i % colors.length]);
      const curves = { loss: Array.isArray(saved.curves?.loss) ? saved.curves.loss : [], dist: Array.isArray(saved.curves?.dist) ? saved.curves.dist : [] };
      Object.assign(l, { config: saved.config, step: saved.step, snapshotStep: saved.step, loading: true, curves: upTo(curves, saved.step) });
      for (const f of record.frames?.[i] ?? []) if (f.step <= saved.step && f.pixels instanceof Uint8Array) state.timelapse.record(l.id, f.step, f.pixels);
      return l;
    });
    p.built += 1;
    return { lanes: p.lanes.map((l) => l.id) };
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
  planeNotice(state, { text, level = 'info', key = null }) {
    const p = state.plane;
    if (key !== null) p.notices = p.notices.filter((n) => n.key !== key); // a newer word on the same thing
    p.notices.push({ id: p.nextNotice++, text, level, key });
    p.notices.splice(0, Math.max(0, p.notices.length - MAX_NOTICES));
  },
  planeDismiss(state, { id }) {
    state.plane.notices = state.plane.notices.filter((n) => n.id !== id);
  },
};
