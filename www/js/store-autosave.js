// The autosave part of the page state and its named updates (merged into store.js's UPDATES): the
// storage's status, the saved runs the resume offer lists, the last save, and restoring a lane's
// curves, quality and time-lapse frames from a saved run. DOM-free.
import { preparedPaths } from './prepared.js';

/** `page.autosave`: seconds between saves, 0 when off. */
export const initialAutosave = (page) => ({
  status: page.autosave === 0 ? 'off' : 'starting', // starting → on | off | unavailable
  message: '', // why it is unavailable
  runId: null, // this tab's run
  runs: [], // listRuns(): [{runId, savedAt, lanes: [{objective, step, config}], dataset, bytes, status, own}]
  usage: 0, // bytes the saved runs take
  last: null, // {at, bytes, ms, steps}: the last save of this tab
  error: null, // the last failed save's message (older saves kept)
  offer: false, // the resume offer is open
  refused: {}, // runId → why it could not be resumed
  resuming: null, // runId being restored
});

const laneOf = (state, id) => state.lanes.find((l) => l.id === id) ?? null;
const usageOf = (runs) => runs.reduce((a, r) => a + (r.bytes || 0), 0);

export const AUTOSAVE_UPDATES = {
  autosaveStatus(state, { status, message = '', runId }) {
    Object.assign(state.autosave, { status, message });
    if (runId !== undefined) state.autosave.runId = runId;
  },
  savedRuns(state, { runs, offer }) {
    const own = state.autosave.runId;
    state.autosave.runs = runs.map((r) => ({ ...r, own: r.runId === own }));
    state.autosave.usage = usageOf(runs);
    if (offer !== undefined) state.autosave.offer = offer && runs.some((r) => r.runId !== own);
  },
  /** This tab's run was written: its summary replaces the listed one. */
  autosaved(state, { summary, ms }) {
    const a = state.autosave;
    a.runs = [{ ...summary, status: 'ok', own: true }, ...a.runs.filter((r) => r.runId !== summary.runId)];
    a.usage = usageOf(a.runs);
    a.last = { at: summary.savedAt, bytes: summary.bytes, ms, steps: summary.lanes.map((l) => l.step) };
    a.error = null;
  },
  autosaveFailed(state, { message }) {
    state.autosave.error = message;
  },
  runDeleted(state, { runId }) {
    const a = state.autosave;
    a.runs = runId === null ? [] : a.runs.filter((r) => r.runId !== runId);
    a.usage = usageOf(a.runs);
    if (!a.runs.some((r) => !r.own)) a.offer = false;
    if (runId === null || runId === a.runId) a.last = null;
  },
  closeOffer(state) {
    state.autosave.offer = false;
  },
  resumeRefused(state, { runId, message }) {
    state.autosave.refused = { ...state.autosave.refused, [runId]: message };
    state.autosave.resuming = null;
  },
  resuming(state, { runId }) {
    state.autosave.resuming = runId;
  },
  /**
   * Lane `lane` takes a saved lane's curves (up to its checkpoint's step), last quality and time-lapse
   * frames before the worker rebuilds it from the checkpoint (laneBuilt then keeps them).
   */
  restoreLane(state, { lane: id, saved, frames = [] }) {
    const lane = laneOf(state, id);
    if (!lane) return null;
    const step = saved.step ?? 0;
    const stats = Array.isArray(saved.curves?.stats) ? saved.curves.stats.filter((s) => s.step <= step) : [];
    const quality = Array.isArray(saved.curves?.quality) ? saved.curves.quality.filter((q) => q.step <= step) : [];
    Object.assign(lane, {
      raw: saved.config ?? {}, restoring: true, curves: { stats, quality },
      quality: saved.quality && saved.quality.step <= step ? saved.quality : quality.at(-1) ?? null,
      checkpoint: saved.checkpointBytes ? { step, bytes: saved.checkpointBytes } : null,
      prepared: null, // the resumed run, not a prepared checkpoint the page had opened
    });
    state.page.checkpoints = preparedPaths(state.lanes);
    state.timelapse.clearLane(id);
    for (const f of frames) if (f.step <= step && f.pixels instanceof Uint8Array) state.timelapse.record(id, f.step, f.pixels);
    return { lane: id };
  },
};
