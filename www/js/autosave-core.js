// Autosave and resume, whatever the page's mode: every `mode.every()` seconds, and when the tab is
// hidden or closed, this tab's run (`mode.record()`) is written to IndexedDB (runstore.js) under this
// tab's run id; at start-up the saved runs of this mode are listed for the resume offer
// (views/resume.js), and Resume rebuilds the page's lanes from one (`mode.restore`). Every failure is a
// notice or a line in the offer; training never waits for storage. The image mode's `mode` is in
// autosave.js, the 2-D mode's in plane/autosave.js. Design: docs/autosave.md.
import { open, tabRunId, setTabRunId, newRunId, claimRun, StorageError } from './runstore.js';

const RESUME_KEY = 'gan-playground-resume'; // sessionStorage: a run to resume after the page reloads for it

/** Reads a browser object that an opaque origin refuses (a getter that throws): null then. */
export const guarded = (get) => {
  try {
    return get() ?? null;
  } catch {
    return null;
  }
};

/**
 * `mode`: what this page saves and restores —
 *   every() seconds between saves (0: off), setEvery(seconds), defaultEvery();
 *   ready() (the lanes are built), trained() (there is something to save);
 *   record() (the record a save writes), signature() (what it would write: an unchanged one is skipped);
 *   accepts(run) (the offer lists only this mode's runs);
 *   elsewhere(record) (the run needs the page reloaded, e.g. with another data set) and reload(record);
 *   restore(record) (rebuilds the lanes; throws why not);
 *   notice(text, level), noticeShown() (the autosave notice).
 * `env`: `{indexedDB, sessionStorage, locks}` getters and `on(target, type, fn)`; defaults to the
 * browser's. Returns the commands of the offer and the page API.
 */
export function createAutosaveCore({ store, mode, env = browserEnv() }) {
  const { state } = store;
  let runs = null; // the RunStore, once open
  let timer = null;
  let claim = { release() {} };
  let lastSignature = null;
  let inFlight = null;
  let again = false;
  const status = (s, extra = {}) => store.update('autosaveStatus', { status: s, ...extra });

  async function openStore() {
    try {
      const factory = guarded(env.indexedDB);
      if (!factory) throw new StorageError('unavailable', 'this page has no storage here (a sandboxed frame, private browsing or storage turned off): runs are not saved');
      return await open(factory);
    } catch (e) {
      status('unavailable', { message: e.message });
      mode.notice(`Autosave is off: ${e.message}. Training is not affected; to keep a run, save its lanes' checkpoints as files.`);
      return null;
    }
  }

  /** Opens the storage, lists the saved runs for the offer and starts the timer (not when autosave is off). */
  async function start() {
    if (mode.every() === 0) return status('off');
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

  /** The saved runs of this mode (a run of the other mode is not offered here). */
  async function list() {
    try {
      return (await runs.listRuns()).filter((r) => mode.accepts(r));
    } catch (e) {
      mode.notice(`The saved runs could not be read (${e?.message ?? e}); training is not affected.`);
      return [];
    }
  }

  function restartTimer() {
    clearInterval(timer);
    timer = mode.every() > 0 && runs ? setInterval(() => save(), mode.every() * 1000) : null;
  }

  /** Saves this tab's run if anything changed since the last save; resolves to {saved, bytes, ms, syncMs}. */
  async function save({ force = false } = {}) {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    if (!runs || state.autosave.status !== 'on' || !mode.ready() || !mode.trained()) return { saved: false };
    const sig = JSON.stringify([state.autosave.runId, mode.signature()]);
    if (!force && sig === lastSignature) return { saved: false };
    inFlight = (async () => {
      const t0 = performance.now();
      try {
        const writing = runs.saveRun(state.autosave.runId, mode.record());
        const syncMs = performance.now() - t0; // the page's main thread was busy this long (encoding, CRC)
        const { summary } = await writing;
        const ms = performance.now() - t0;
        lastSignature = sig;
        store.update('autosaved', { summary, ms });
        if (mode.noticeShown()) mode.notice('Autosave works again: the run is saved.', 'info');
        return { saved: true, bytes: summary.bytes, ms, syncMs, step: summary.lanes.map((l) => l.step) };
      } catch (e) {
        const message = e instanceof StorageError ? e.message : `saving the run failed (${e?.message ?? e}); the older saves are kept`;
        store.update('autosaveFailed', { message });
        mode.notice(`Autosave: ${message}.${e?.code === 'quota-exceeded' ? ' Delete saved runs to make room.' : ''} Training is not affected.`);
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

  /**
   * Restores run `runId` into the page's lanes (its own settings win over the link's). The run is
   * claimed for this tab only once it is restored: a run that could not be restored is never
   * overwritten by this tab.
   */
  async function resume(runId) {
    store.update('resuming', { runId });
    let record;
    try {
      record = await runs.loadRun(runId);
    } catch (e) {
      return store.update('resumeRefused', { runId, message: e.message });
    }
    if (mode.elsewhere(record)) {
      guarded(() => guarded(env.sessionStorage).setItem(RESUME_KEY, runId));
      mode.reload(record);
      return undefined;
    }
    try {
      await mode.restore(record);
    } catch (e) {
      return store.update('resumeRefused', { runId, message: e.message });
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
    lastSignature = JSON.stringify([state.autosave.runId, mode.signature()]);
    store.update('closeOffer');
    store.update('resuming', { runId: null });
    return undefined;
  }

  async function remove(runId) {
    try {
      if (runId === null) {
        // Only this mode's runs: the other mode's are not listed here.
        for (const r of state.autosave.runs) await runs.deleteRun(r.runId);
      } else await runs.deleteRun(runId);
      if (runId === null || runId === state.autosave.runId) lastSignature = null;
      store.update('runDeleted', { runId });
    } catch (e) {
      mode.notice(`The saved run could not be deleted (${e?.message ?? e}).`);
    }
  }

  /** Turns autosave on or off (the page API; `autosave=0` in the link starts it off). */
  async function setEnabled(on) {
    if (typeof on !== 'boolean') throw new Error('setAutosave expects true or false');
    if (!on) {
      clearInterval(timer);
      timer = null;
      mode.setEvery(0);
      status('off');
    } else if (state.autosave.status === 'off') {
      mode.setEvery(mode.defaultEvery());
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
    return { status: a.status, every: mode.every(), runId: a.runId, lastSavedAt: a.last?.at ?? null, runs: a.runs.length, bytes: a.usage, error: a.error };
  }

  env.on(globalThis.document, 'visibilitychange', () => { if (globalThis.document.visibilityState === 'hidden') save(); });
  env.on(globalThis.window, 'pagehide', () => save());

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
