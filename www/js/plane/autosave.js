// The 2-D mode's autosave (../autosave-core.js does the saving, listing and resuming, as in the image
// mode): this tab's 2-D run — each lane's latest checkpoint (.gan2d bytes, sent by the worker at most
// every 2 s while training and when training stops), its curves and time-lapse frames up to that
// step, and the page's config (drawn points included) and speed — is saved to IndexedDB, and the
// offer (../views/resume.js) resumes it. DOM-free but for the browser's storage.
import { createAutosaveCore } from '../autosave-core.js';
import { isPlaneDataset } from './url.js';

/** The config fields the resume offer compares with the link's. */
export const PLANE_FIELDS = ['objective', 'dataset', 'g_layers', 'g_neurons', 'd_layers', 'd_neurons', 'activation', 'latent', 'latent_dist', 'batch', 'seed', 'lr_g', 'lr_d'];

/** What the resume view reads of the 2-D page (../views/resume.js's `page`). */
export const PLANE_PAGE = {
  linkConfigs: (state) => state.plane.lanes.map((l) => l.config ?? { objective: l.objective }),
  linkDataset: (state) => state.plane.config.dataset,
  ready: (state) => state.plane.phase === 'ready',
  every: (state) => state.plane.options.autosave,
  fields: PLANE_FIELDS,
  changes: ['planeReady', 'planeBuilt', 'planeLoaded', 'planeRebuild'],
};

/** The record of this tab's 2-D run: each lane up to its latest checkpoint (see docs/autosave.md). */
export function buildPlaneRecord(state) {
  const p = state.plane;
  const lanes = p.lanes.map((l) => {
    const step = l.checkpoint?.step ?? 0;
    return {
      config: l.config, step, checkpointBytes: l.checkpoint?.bytes ?? null,
      curves: { loss: l.curves.loss.filter((q) => q.step <= step), dist: l.curves.dist.filter((q) => q.step <= step) },
    };
  });
  const frames = p.lanes.map((l, i) => state.timelapse.frames(l.id).filter((f) => f.step <= lanes[i].step));
  const { dataset } = p.config;
  const config = { ...p.config, points: p.config.points.map(([x, y]) => [x, y]), lanes: [...p.config.lanes] };
  return { savedAt: Date.now(), options: { mode: '2d', dataset, config, speed: p.options.speed }, lanes, frames };
}

const ready = (p) => p.phase === 'ready' && p.lanes.length > 0 && p.lanes.every((l) => l.config && !l.loading && !l.error);

/**
 * `request(type, args)`: the 2-D worker's; `rebuild()`: the page's lanes afresh from its config;
 * `afterRestore()`: the page's (the URL, the controls). `env`: see autosave-core.js. Returns the
 * commands of the offer and the page API.
 */
export function createPlaneAutosave({ store, request, colors, rebuild, afterRestore, env }) {
  const { state } = store;
  const P = () => state.plane;
  const mode = {
    every: () => P().options.autosave ?? 0,
    setEvery: (seconds) => store.update('planeAutosaveEvery', { seconds }),
    defaultEvery: () => P().limits.autosaveEvery.default,
    ready: () => ready(P()),
    trained: () => P().lanes.some((l) => l.checkpoint),
    record: () => buildPlaneRecord(state),
    signature: () => P().lanes.map((l) => [l.id, l.config, l.checkpoint?.seq ?? 0]),
    accepts: (run) => isPlaneDataset(run.dataset), // the image mode's runs are offered there
    elsewhere: () => false, // every 2-D run resumes on this page: its lanes bring their own configs
    reload: () => {},
    restore,
    notice: (text, level = 'warn') => store.update('planeNotice', { text, level, key: 'autosave' }),
    noticeShown: () => P().notices.some((n) => n.key === 'autosave'),
  };

  /**
   * Rebuilds the lanes from the record's checkpoints. If one is refused, the lanes start afresh from
   * the run's config (step 0) and the error says which; the saved run itself is kept.
   */
  async function restore(record) {
    if (!Array.isArray(record.lanes) || record.lanes.length === 0 || !record.options?.config) throw new Error('this saved run holds no 2-D lanes');
    const missing = record.lanes.findIndex((l) => !(l.checkpointBytes instanceof Uint8Array) || !l.config);
    if (missing >= 0) throw new Error(`lane ${missing + 1} of this saved run has no checkpoint`);
    await request('pause');
    const { lanes: ids } = store.update('planeRestore', { record, colors });
    await request('options', { speed: P().options.speed });
    await request('build', { lanes: [] });
    try {
      for (const [i, id] of ids.entries()) {
        const result = await request('load', { lane: id, bytes: record.lanes[i].checkpointBytes.slice() }).catch((e) => {
          throw new Error(`lane ${i + 1}: ${e.message}`);
        });
        store.update('planeLoaded', { lane: id, config: result.config, step: result.step, curves: null, restored: true });
      }
    } catch (e) {
      await rebuild();
      throw new Error(`${e.message} (the lanes start again from step 0)`);
    } finally {
      afterRestore();
    }
  }

  return createAutosaveCore({ store, mode, env });
}
