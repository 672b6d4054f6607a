// The image mode's autosave (autosave-core.js does the saving, listing and resuming): every
// `page.autosave` seconds, and when the tab is hidden or closed, this tab's run (each lane's latest
// checkpoint, curves and quality up to that checkpoint's step, time-lapse frames, page options) is
// saved. Saving uses the checkpoints the worker already sends the page (for crash recovery), so it
// costs the worker nothing. Design: docs/autosave.md.
import { createAutosaveCore } from './autosave-core.js';
import { allBuilt } from './store.js';
import { toQuery } from './url.js';
import { isPlaneDataset } from './plane/url.js';

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

/** What a save would write, to skip one that changes nothing: lanes, configs, checkpoint steps. */
const signature = (state) => state.lanes.map((l) => [l.id, l.config, l.checkpoint?.step ?? 0]);

/** `env`: see autosave-core.js. Returns the commands of the offer and the page API. */
export function createAutosave({ store, session, env }) {
  const { state } = store;
  const mode = {
    every: () => state.page.autosave,
    setEvery: (autosave) => store.update('options', { autosave }),
    defaultEvery: () => state.limits.autosaveEvery.default,
    ready: () => allBuilt(state),
    trained: () => state.lanes.some((l) => l.checkpoint),
    record: () => buildRecord(state),
    signature: () => signature(state),
    accepts: (run) => !isPlaneDataset(run.dataset), // the 2-D mode's runs are offered there
    elsewhere: (record) => Boolean(record.options?.dataset) && record.options.dataset !== state.page.dataset,
    // The lanes need the run's dataset: reload with it and resume there.
    reload: (record) => {
      window.location.search = toQuery(record.lanes.map((l) => l.config), { ...state.page, dataset: record.options.dataset }, state.limits);
    },
    restore: (record) => restoreLanes(record),
    notice: (text, level = 'warn') => store.update('notice', { key: 'autosave', level, text }),
    noticeShown: () => state.notices.some((n) => n.key === 'autosave'),
  };

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

  return createAutosaveCore({ store, mode, env });
}
