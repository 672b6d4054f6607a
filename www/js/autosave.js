// Autosave and resume: every `page.autosave` seconds, and when the tab is hidden or closed, this tab's
// run (each lane's latest checkpoint, curves and quality up to that checkpoint's step, time-lapse
// frames, page options) is written to IndexedDB (runstore.js) under this tab's run id; at start-up the
// saved runs are listed for the resume offer (views/resume.js). Saving uses the checkpoints the worker
// already sends the page (for crash recovery), so it costs the worker nothing. Every failure is a
// notice or a line in the offer; training never waits for storage. Design: docs/autosave.md.
import { open, tabRunId, setTabRunId, newRunId, claimRun, StorageError } from './runstore.js';
import { allBuilt } from './store.js';
import { toQuery } from './url.js';

const RESUME_KEY = 'gan-playground-resume'; // sessionStorage: a run to resume after a dataset switch

/** Reads a browser object that an opaque origin refuses (a getter that throws): null then. */
const guarded = (get) => {
  try {
    return get() ?? null;
  } catch {
    return null;
  }
};

/** The record of this tab's run: each lane up to its latest checkpoint. */
export function buildRecord(state) {
  const lanes = state.lanes.map((l) => {
    const step = l.checkpoint?.step ?? 0;
    return {
      config: l.config, step, checkpointBytes: l.checkpoint?.bytes ?? null,
      curves: { stats: l.curves.stats.filter((s) => s.step <= step), quality: l.curves.quality.filter((q) => q.step <= step) },
      quality: l.quality && l.quality.step <= step ? l.quality : null,
    };
  });
  const frames = state.lanes.map((l, i) => state.timelapse.frames(l.id).filter((f) => f.step <= lanes[i].step));
  const { dataset, backend, speed, evalEvery } = state.page;
  return { savedAt: Date.now(), options: { dataset, backend, speed, evalEvery }, lanes, frames };
}

/** What a save would write, to skip one that changes nothing: run id, lanes, configs, checkpoint steps. */
const signature = (state) => JSON.stringify([state.autosave.runId, state.lanes.map((l) => [l.id, l.config, l.checkpoint?.step ?? 0])]);

/**
 * `env`: `{indexedDB, sessionStorage, locks}` getters and `on(target, type, fn)`; defaults to the
 * browser's. Returns the commands of the offer and the page API.
 */
export function createAutosave({ store, session, env = browserEnv() }) {
  const { state } = store;
  let runs = null; // the RunStore, once open
  let timer = null;
  let claim = { release() {} };
  let lastSignature = null;
  let inFlight = null;
  let again = false;
  const notice = (text, level = 'warn') => store.update('notice', { key: 'autosave', level, text });
  const status = (s, extra = {}) => store.update('autosaveStatus', { status: s, ...extra });

  async function openStore() {
    try {
      const factory = guarded(env.indexedDB);
      if (!factory) throw new StorageError('unavailable', 'this page has no storage here (a sandboxed frame, private browsing or storage turned off): runs are not saved');
      return await open(factory);
    } catch (e) {
      status('unavailable', { message: e.message });
      notice(`Autosave is off: ${e.message}. Training is not affected; to keep a run, save its lanes' checkpoints as files.`);
      return null;
    }
  }

  /** Opens the storage, lists the saved runs for the offer and starts the timer (not when `autosave=0`). */
  async function start() {
    if (state.page.autosave === 0) return status('off');
    runs = runs ?? (await openStore());
    if (!runs) return undefined;
    const tab = guarded(env.sessionStorage);
    let runId = tabRunId(tab);
    const listed = await list();
    const resumeId = guarded(() => tab?.getItem(RESUME_KEY));
    if (resumeId) guarded(() => tab.removeItem(RESUME_KEY));
    // After a reload this tab's last save is offered, not overwritten: the fresh run gets a new id.
    if (listed.some((r) => r.runId === runId)) {
      runId = newRunId();
      setTabRunId(tab, runId);
    }
    claim = await claimRun(runId, guarded(env.locks) ?? undefined).catch(() => ({ owned: true, release() {} }));
    status('on', { runId });
    store.update('savedRuns', { runs: listed, offer: !resumeId });
    restartTimer();
    if (resumeId && listed.some((r) => r.runId === resumeId)) await resume(resumeId);
    return undefined;
  }

  async function list() {
    try {
      return await runs.listRuns();
    } catch (e) {
      notice(`The saved runs could not be read (${e?.message ?? e}); training is not affected.`);
      return [];
    }
  }

  function restartTimer() {
    clearInterval(timer);
    timer = state.page.autosave > 0 && runs ? setInterval(() => save(), state.page.autosave * 1000) : null;
  }

  /** Saves this tab's run if anything changed since the last save; resolves to {saved, bytes, ms, syncMs}. */
  async function save({ force = false } = {}) {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    const trained = state.lanes.some((l) => l.checkpoint);
    if (!runs || state.autosave.status !== 'on' || !allBuilt(state) || !trained) return { saved: false };
    if (!force && signature(state) === lastSignature) return { saved: false };
    const sig = signature(state);
    inFlight = (async () => {
      const t0 = performance.now();
      try {
        const writing = runs.saveRun(state.autosave.runId, buildRecord(state));
        const syncMs = performance.now() - t0; // the page's main thread was busy this long (encoding, CRC)
        const { summary } = await writing;
        const ms = performance.now() - t0;
        lastSignature = sig;
        store.update('autosaved', { summary, ms });
        if (state.notices.some((n) => n.key === 'autosave')) store.update('notice', { key: 'autosave', level: 'info', text: 'Autosave works again: the run is saved.' });
        return { saved: true, bytes: summary.bytes, ms, syncMs, step: summary.lanes.map((l) => l.step) };
      } catch (e) {
        const message = e instanceof StorageError ? e.message : `saving the run failed (${e?.message ?? e}); the older saves are kept`;
        store.update('autosaveFailed', { message });
        notice(`Autosave: ${message}.${e?.code === 'quota-exceeded' ? ' Delete saved runs to make room.' : ''} Training is not affected.`);
        return { saved: false, error: message, code: e?.code ?? 'failed' };
      } finally {
        inFlight = null;
      }
    })();
    const result = await inFlight;
    if (again) {
      again = false;
      save();
    }
    return result;
  }

  /** Restores run `runId` into the page's lanes (its own settings win over the link's). */
  async function resume(runId) {
    const summary = state.autosave.runs.find((r) => r.runId === runId);
    store.update('resuming', { runId });
    let record;
    try {
      record = await runs.loadRun(runId);
    } catch (e) {
      return store.update('resumeRefused', { runId, message: e.message });
    }
    const dataset = record.options?.dataset ?? summary?.dataset;
    if (dataset && dataset !== state.page.dataset) {
      // The lanes need the run's dataset: reload with it and resume there.
      const tab = guarded(env.sessionStorage);
      guarded(() => tab.setItem(RESUME_KEY, runId));
      window.location.search = toQuery(record.lanes.map((l) => l.config), { ...state.page, dataset }, state.limits);
      return undefined;
    }
    // Another tab that still holds the run keeps saving it: this one continues under its own id.
    const claimed = await claimRun(runId, guarded(env.locks) ?? undefined).catch(() => ({ owned: false, release() {} }));
    if (claimed.owned) {
      const interim = state.autosave.runId;
      claim.release();
      claim = claimed;
      setTabRunId(guarded(env.sessionStorage), runId);
      status(state.autosave.status, { runId });
      if (interim !== runId && state.autosave.runs.some((r) => r.runId === interim)) await remove(interim);
    }
    try {
      await restoreLanes(record);
    } catch (e) {
      return store.update('resumeRefused', { runId, message: e.message });
    }
    lastSignature = signature(state);
    store.update('closeOffer');
    store.update('resuming', { runId: null });
    return undefined;
  }

  async function restoreLanes(record) {
    await session.request('pause');
    const { speed, evalEvery } = record.options ?? {};
    if (Number.isFinite(speed) && Number.isInteger(evalEvery)) {
      await session.request('options', { speed, evalEvery });
      store.update('options', { speed, evalEvery });
    }
    const old = state.lanes.map((l) => l.id);
    for (const extra of old.slice(record.lanes.length)) {
      await session.request('removeLane', { lane: extra });
      store.update('removeLane', { lane: extra });
    }
    const refused = [];
    for (const [i, saved] of record.lanes.entries()) {
      const id = old[i] ?? store.update('addLane', {}).lane;
      store.update('restoreLane', { lane: id, saved, frames: record.frames?.[i] ?? [] });
      const bytes = saved.checkpointBytes ? saved.checkpointBytes.slice() : null;
      try {
        await session.request('addLane', bytes ? { lane: id, checkpoint: bytes } : { lane: id, config: saved.config }, bytes ? [bytes.buffer] : []);
      } catch (e) {
        // The lane starts again from its config (step 0), so the page and the worker agree.
        refused.push(`lane ${i + 1}: ${e.message}`);
        await session.request('addLane', { lane: id, config: saved.config ?? {} });
      }
    }
    store.update('select', { lane: state.lanes[0].id });
    if (refused.length) throw new Error(`${refused.join('; ')} (that lane starts again from step 0)`);
  }

  async function remove(runId) {
    try {
      if (runId === null) await runs.deleteAll();
      else await runs.deleteRun(runId);
      if (runId === null || runId === state.autosave.runId) lastSignature = null;
      store.update('runDeleted', { runId });
    } catch (e) {
      notice(`The saved run could not be deleted (${e?.message ?? e}).`);
    }
  }

  /** Turns autosave on or off (the page API; `autosave=0` in the link starts it off). */
  async function setEnabled(on) {
    if (typeof on !== 'boolean') throw new Error('setAutosave expects true or false');
    if (!on) {
      clearInterval(timer);
      timer = null;
      store.update('options', { autosave: 0 });
      status('off');
    } else if (state.autosave.status === 'off') {
      store.update('options', { autosave: state.limits.autosaveEvery.default });
      if (runs) {
        status('on');
        restartTimer();
      } else {
        await start();
      }
    }
    return summaryOf();
  }

  function summaryOf() {
    const a = state.autosave;
    return { status: a.status, every: state.page.autosave, runId: a.runId, lastSavedAt: a.last?.at ?? null, runs: a.runs.length, bytes: a.usage, error: a.error };
  }

  env.on(document, 'visibilitychange', () => { if (document.visibilityState === 'hidden') save(); });
  env.on(window, 'pagehide', () => save());

  return {
    start, save, resume, setEnabled, summary: summaryOf,
    delete: (runId) => remove(runId),
    deleteAll: () => remove(null),
    startFresh: () => store.update('closeOffer'),
  };
}

function browserEnv() {
  return {
    indexedDB: () => window.indexedDB,
    sessionStorage: () => window.sessionStorage,
    locks: () => navigator.locks,
    on: (target, type, fn) => target.addEventListener(type, fn),
  };
}
