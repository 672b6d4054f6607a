// The page's commands, shared by the controls, the keyboard and the page API (`window.ganPlayground`,
// postMessage): training, lanes (add, remove, configure), checkpoints, options, status. Every command
// waits until the playground is ready; limits come from the wasm module (state.limits).
import { DATASETS, toQuery } from './url.js';
import { allBuilt, laneById, laneIndex, selectedLane } from './store.js';
import { download } from './timelapse-ui.js';
import { fetchPrepared } from './prepared.js';

const PHASES = ['both', 'd', 'g'];
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `base` with `partial` merged in; a new objective brings its own parameters and learning rates unless given. */
export function merge(base, partial) {
  const switching = partial.objective !== undefined && partial.objective !== base.objective;
  const keep = switching ? {} : base.params;
  // A `params` that is not an object goes to the validator as it is, which names it.
  const params = partial.params === undefined ? { ...keep } : isObject(partial.params) ? { ...keep, ...partial.params } : partial.params;
  const merged = { ...base, ...partial, params };
  if (switching) for (const key of ['lr_g', 'lr_d']) if (!(key in partial)) delete merged[key];
  return merged;
}

export function quoteValue(v) {
  let text;
  try {
    text = typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
  } catch {
    text = typeof v;
  }
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Checks the page options `speed`, `eval_every` and `lockstep` against `limits`; throws naming the bad one. */
export function parseOptions({ speed, eval_every: evalEvery, lockstep }, limits) {
  const opts = {};
  if (lockstep !== undefined) {
    if (![true, false, 0, 1].includes(lockstep)) throw new Error(`lockstep: true or false (or 1 or 0); got ${quoteValue(lockstep)}`);
    opts.lockstep = Boolean(lockstep);
  }
  if (speed !== undefined) {
    const v = speed === 'max' ? 0 : Number(speed);
    const { min, max } = limits.speed;
    if (!(v === 0 || (v >= min && v <= max))) throw new Error(`speed: "max", 0 or ${min} to ${max} steps/s; got ${quoteValue(speed)}`);
    opts.speed = v;
  }
  if (evalEvery !== undefined) {
    const v = typeof evalEvery === 'string' && evalEvery.trim() === '' ? NaN : Number(evalEvery);
    const { min, max } = limits.evalEvery;
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`eval_every: a whole number from ${min} to ${max}; got ${quoteValue(evalEvery)}`);
    opts.evalEvery = v;
  }
  return opts;
}

/** `store`, `session` (createSession), `testMode`; returns the commands. */
export function makeController({ store, session, testMode, autosave = null }) {
  const { state } = store;
  const send = (type, args, transfer) => session.request(type, args, transfer);
  // Prepared checkpoints being loaded (openPrepared): commands wait for them too, so no step trains the
  // fresh lane a file is about to replace.
  let preparing = Promise.resolve();
  const whenReady = () => session.ready.then(() => preparing);
  const notify = (text, level = 'error') => store.update('notice', { text, level });

  const index = (i, what) => {
    if (!Number.isInteger(i) || i < 0 || i >= state.lanes.length) {
      throw new Error(`${what}: lane must be a whole number from 0 to ${state.lanes.length - 1}; got ${quoteValue(i)}`);
    }
    return state.lanes[i];
  };

  async function validateAll(configs) {
    let results;
    try {
      results = await send('validate', { configs });
    } catch (e) {
      throw new Error(`configure: the config must be plain JSON data (${e?.message ?? e})`);
    }
    const errors = [];
    const valid = results.map((result, i) => {
      const prefix = configs.length > 1 ? `lane ${i + 1} ` : '';
      for (const e of result.errors ?? []) errors.push({ ...e, field: `${prefix}${e.field}` });
      return result.config;
    });
    return { valid, errors };
  }

  /** Sets page options (slow motion, measurement interval) without restarting any lane. */
  async function setOptions(options) {
    await whenReady();
    const opts = parseOptions(options, state.limits);
    if (Object.keys(opts).length === 0) return;
    await send('options', opts);
    store.update('options', opts);
  }

  /** Sends the validated configs for `lanes` and waits for the worker to rebuild them. */
  const apply = (lanes, configs) => Promise.all(lanes.map((lane, i) => send(lane.config ? 'configure' : 'addLane', { lane: lane.id, config: configs[i] })));

  /** Shows refused fields: at the field when the controls asked, else as notices. */
  function refuse(errors, fromControls, consequence) {
    if (fromControls) {
      store.update('fieldErrors', { errors: Object.fromEntries(errors.map((e) => [e.field, e.message])) });
      return;
    }
    // One notice for the refused request (replacing the previous one), a line per field.
    store.update('notice', { key: 'refused', level: 'warn', text: errors.map((err) => `${err.field}: ${err.message} — ${consequence}.`).join('\n') });
  }

  async function configure(partial, { fromControls = false } = {}) {
    if (!isObject(partial)) throw new Error('configure expects an object, e.g. {batch: 32}');
    await whenReady();
    const { limits } = state;
    const { lane: laneArg, lanes: list, speed, eval_every: evalEvery, lockstep, ...fields } = partial;
    const pageOptions = { speed, eval_every: evalEvery, lockstep };
    parseOptions(pageOptions, limits); // a bad option changes nothing
    const current = () => ({ config: state.lanes[0]?.config, configs: state.lanes.map((l) => l.config), errors: [] });
    const optionsOnly = list === undefined && laneArg === undefined && Object.keys(fields).length === 0;
    if (optionsOnly) {
      await setOptions(pageOptions);
      return current();
    }
    let targets;
    let partials;
    if (list !== undefined) {
      if (!Array.isArray(list) || list.length < 1 || list.length > limits.maxLanes) throw new Error(`configure: lanes must be an array of 1 to ${limits.maxLanes} objective ids or configs`);
      partials = list.map((entry) => (typeof entry === 'string' ? { objective: entry } : entry));
      if (!partials.every(isObject)) throw new Error('configure: each entry of lanes must be an objective id or an object');
      targets = partials.map((_, i) => state.lanes[i] ?? null);
    } else if (laneArg !== undefined) {
      targets = [index(laneArg, 'configure')];
      partials = [{}];
    } else {
      targets = [...state.lanes];
      partials = targets.map(() => ({}));
    }
    const base = (lane) => lane?.config ?? { seed: state.lanes[0]?.config?.seed };
    const configs = targets.map((lane, i) => merge(base(lane), { ...fields, ...partials[i] }));
    const { valid, errors } = await validateAll(configs);
    if (errors.length) {
      refuse(errors, fromControls, 'nothing was changed');
      return { ...current(), errors };
    }
    store.update('clearFieldErrors', {});
    await setOptions(pageOptions);
    // The seed is shared by every lane.
    const seed = fields.seed !== undefined ? valid[0].seed : null;
    let lanes = targets.map((lane) => lane ?? laneById(state, store.update('addLane', {}).lane));
    if (list !== undefined) {
      for (const extra of state.lanes.slice(list.length)) await removeLane(state.lanes.indexOf(extra));
    }
    if (seed !== null) {
      for (const lane of state.lanes) {
        if (!lanes.includes(lane)) {
          lanes = [...lanes, lane];
          valid.push({ ...lane.config, seed });
        }
      }
    }
    const results = await apply(lanes, valid);
    return { ...current(), config: results[0].config };
  }

  async function removeLane(i) {
    await whenReady();
    const lane = index(i, 'removeLane');
    if (state.lanes.length === 1) throw new Error('the last lane cannot be removed');
    await send('removeLane', { lane: lane.id });
    store.update('removeLane', { lane: lane.id });
  }

  async function saveCheckpoint(i = 0) {
    await whenReady();
    const lane = index(i, 'saveCheckpoint');
    const curves = JSON.stringify({ version: 1, stats: lane.curves.stats, quality: lane.curves.quality });
    const { bytes } = await send('save', { lane: lane.id, curves });
    return bytes;
  }

  const controller = {
    ready: session.ready,
    async play() {
      await whenReady();
      await send('play');
    },
    async pause() {
      await whenReady();
      await send('pause');
    },
    /** `n` generator steps of every lane; `phase` 'd' or 'g' steps only the discriminator or the generator. */
    async step(n = 1, phase = 'both') {
      await whenReady();
      const max = state.limits.maxStepRequest;
      if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`step: n must be a whole number from 1 to ${max}; got ${quoteValue(n)}`);
      if (!PHASES.includes(phase)) throw new Error(`step: phase must be ${PHASES.map((p) => `"${p}"`).join(', ')}; got ${quoteValue(phase)}`);
      try {
        await send('step', { n, phase });
      } catch (e) {
        notify(e.message); // e.g. every lane has diverged: the page says what to do
        throw e;
      }
      store.update('pulse', { phase });
    },
    /** Restarts every lane (or lane `i`) from step 0. */
    async reset(i) {
      await whenReady();
      await send('reset', i === undefined ? {} : { lane: index(i, 'reset').id });
    },
    /** Switches the dataset by reloading the page with the same configuration (training restarts; the run is autosaved first). */
    setDataset(id) {
      if (!Object.hasOwn(DATASETS, id)) throw new Error(`dataset must be ${Object.keys(DATASETS).join(' or ')}`);
      if (id === state.page.dataset) return;
      const go = () => { window.location.search = toQuery(state.lanes.map((l) => l.config), { ...state.page, dataset: id }); };
      // The run is saved first (a save begun as the page goes away may be lost), so the reloaded page offers it.
      if (autosave) autosave.save().then(go, go);
      else go();
    },
    /** Returns lane `i` to its last healthy snapshot; resolves to `{step}` once done. */
    async rollback(i = 0) {
      await whenReady();
      const lane = index(i, 'rollback');
      const { step } = await send('rollback', { lane: lane.id });
      store.update('rolledBack', { lane: lane.id, step });
      return { step };
    },
    /**
     * Changes the configuration; resolves to `{config, configs, errors}`. `{lane: i, ...}` changes
     * lane i; `{lanes: [...]}` sets the whole list of lanes (objective ids or partial configs); otherwise
     * the fields apply to every lane. `seed` is shared; `speed`, `eval_every` and `lockstep` are page options.
     * If any field is invalid nothing changes (the lanes keep training) and `errors` names each field.
     */
    configure: (partial) => configure(partial),
    /** What the controls change: the selected lane (the seed goes to every lane); errors show at the fields. */
    configureSelected(partial) {
      const i = Math.max(0, laneIndex(state, state.selected));
      return configure({ ...partial, lane: i }, { fromControls: true });
    },
    /** Adds a lane; resolves to `{lane, config, errors}` once it is built. */
    async addLane(partial = {}) {
      if (!isObject(partial)) throw new Error('addLane expects an object, e.g. {objective: "lsgan"}');
      await whenReady();
      const { maxLanes } = state.limits;
      if (state.lanes.length >= maxLanes) throw new Error(`at most ${maxLanes} lanes; remove one first`);
      const model = selectedLane(state)?.config ?? {};
      const base = { objective: model.objective, arch: model.arch, batch: model.batch, latent: model.latent, seed: model.seed };
      const { valid, errors } = await validateAll([merge(base, partial)]);
      if (errors.length) {
        refuse(errors, false, 'no lane was added');
        return { lane: null, config: null, errors };
      }
      if (state.lanes.length >= maxLanes) throw new Error(`at most ${maxLanes} lanes; remove one first`);
      const { lane: id } = store.update('addLane', {});
      store.update('select', { lane: id });
      const [result] = await apply([laneById(state, id)], valid);
      return { lane: laneIndex(state, id), config: result.config, errors: [] };
    },
    /** Removes lane `i` (one lane always stays). */
    removeLane,
    /** A checkpoint of lane `i` now (weights, optimizer state, config, step, curves) as bytes. */
    saveCheckpoint,
    /** Saves lane `i` and downloads the file. */
    async downloadCheckpoint(i = 0) {
      const bytes = await saveCheckpoint(i);
      const lane = state.lanes[i];
      download(new Blob([bytes], { type: 'application/octet-stream' }), `gan-lane-${lane.config.objective}-${lane.config.arch}-step${lane.step}.ganlane`);
      return bytes.length;
    },
    /** Adds a lane from checkpoint bytes (a file saved by the page or the CLI); resolves to `{lane, step, config}`. */
    async loadCheckpoint(bytes) {
      const data = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
      if (!(data instanceof Uint8Array)) throw new Error('loadCheckpoint expects the file\'s bytes (a Uint8Array or ArrayBuffer)');
      await whenReady();
      const { maxLanes, maxCheckpointBytes } = state.limits;
      if (data.length > maxCheckpointBytes) throw new Error(`the file is ${(data.length / 1e6).toFixed(1)} MB; a checkpoint is at most ${maxCheckpointBytes / 1e6} MB`);
      if (state.lanes.length >= maxLanes) throw new Error(`at most ${maxLanes} lanes; remove one before loading a checkpoint`);
      const { lane: id } = store.update('addLane', {});
      try {
        const copy = data.slice();
        const result = await send('addLane', { lane: id, checkpoint: copy }, [copy.buffer]);
        store.update('select', { lane: id });
        return { lane: laneIndex(state, id), step: result.step, config: result.config };
      } catch (e) {
        store.update('removeLane', { lane: id });
        // A checkpoint of the other dataset: offer the switch (the page reloads with it; load the file again there).
        const other = e.code === 'dataset-mismatch' && Object.hasOwn(DATASETS, e.checkpointDataset) ? e.checkpointDataset : null;
        const actions = other ? [{ label: `Switch to ${DATASETS[other]}`, run: () => controller.setDataset(other) }] : [];
        store.update('notice', { key: 'checkpoint-refused', level: 'error', text: other ? `${e.message}?` : e.message, actions });
        throw e;
      }
    },
    /**
     * Restores lane i from the prepared checkpoint `paths[i]` (a file of this site, prepared.js; ''
     * or null: lane i keeps its run). A file that cannot be had or loaded leaves the lane as it is,
     * training from step 0, with a notice saying why. Resolves to the lanes' steps afterwards.
     */
    async openPrepared(paths = []) {
      if (state.phase !== 'ready') await session.ready; // the first start calls it before `ready` settles
      const { maxCheckpointBytes } = state.limits;
      const wanted = paths.slice(0, state.lanes.length).map((path, i) => [path, state.lanes[i].id]).filter(([path]) => path);
      // Until its file is in, a lane counts as not built (the controls, status().ready and autosave wait).
      for (const [, id] of wanted) store.update('preparing', { lane: id, on: true });
      const loads = Promise.all(wanted.map(async ([path, id]) => {
        try {
          const bytes = await fetchPrepared(path, { base: window.location.href, maxBytes: maxCheckpointBytes });
          const { step } = await send('addLane', { lane: id, checkpoint: bytes }, [bytes.buffer]);
          store.update('prepared', { lane: id, path, step });
        } catch (e) {
          store.update('preparing', { lane: id, on: false });
          const why = String(e?.message ?? e).replace(/^the checkpoint was refused: /, '');
          store.update('notice', { key: `prepared-${id}`, level: 'warn', text: `Lane ${laneIndex(state, id) + 1}: the prepared checkpoint ${path} could not be loaded (${why}); it trains from step 0 instead.` });
        }
      }));
      preparing = loads.then(() => undefined);
      await loads;
      return state.lanes.map((l) => l.step);
    },
    /** Shows lane `i` in the controls, the diagnostics chart and the explorers. */
    select(i) {
      store.update('select', { lane: index(i, 'select').id });
    },
    options: setOptions,
    /** Asks the worker for the selected lane's code grid or interpolation strip (view null: closed). */
    view(kind, lane, view) {
      if (state.phase !== 'ready') return;
      send(kind, { lane, view }).catch((e) => notify(e.message));
    },
    /** Runs a notice's action (`[command, laneId]`). */
    runAction([command, laneId]) {
      const i = laneIndex(state, laneId);
      if (i >= 0) controller[command](i).catch((e) => notify(e.message));
    },
    status() {
      return {
        backend: state.backend, adapter: state.adapter, backendReason: state.backendReason, running: state.running, stepping: state.stepping,
        ready: state.phase === 'ready' && allBuilt(state),
        dataset: state.page.dataset, crashed: state.crashed, deviceLosses: state.deviceLosses, wasmMemoryBytes: state.memoryBytes,
        selected: laneIndex(state, state.selected), speed: state.page.speed, evalEvery: state.page.evalEvery,
        lockstep: state.page.lockstep, workers: state.workers.count,
        embed: state.page.embed, hidden: state.page.hide, metrics: state.metrics, limits: state.limits,
        lanes: state.lanes.filter((l) => l.config).map((l) => laneStatus(state, l)),
        autosave: autosave?.summary() ?? null,
      };
    },
    /** Turns autosave on or off (`autosave=0` in the link starts it off); resolves to its status. */
    async setAutosave(on) {
      await whenReady();
      if (!autosave) throw new Error('autosave is not available on this page');
      return autosave.setEnabled(on);
    },
  };

  // Test hooks (README, "Test hooks"): only with ?test=1.
  if (testMode) {
    controller.testHooks = {
      testPanic: () => send('testPanic').catch(() => {}),
      // The worker is replaced while this request is in flight: its reply may never come.
      forceDeviceLoss: () => { send('testDeviceLoss').catch(() => {}); },
      setLearningRatesUnchecked: (lrG, lrD, i = 0) => send('testLearningRates', { lr_g: lrG, lr_d: lrD, lane: index(i, 'test').id }),
      setSnapshotEvery: (n) => session.setSnapshotEvery(n),
      // Lane i's statistics as the charts hold them (the parallel-lanes test compares them bit for bit).
      laneStats: (i = 0) => index(i, 'laneStats').curves.stats.map(({ step, phase, d_loss: d, g_loss: g }) => ({ step, phase, d, g })),
    };
  }
  return controller;
}

/** What the page API reports about a lane. */
export function laneStatus(state, lane) {
  return {
    index: laneIndex(state, lane.id), id: lane.id, color: lane.color, objective: lane.config?.objective ?? null, arch: lane.config?.arch ?? null,
    step: lane.step, dLoss: lane.dLoss, gLoss: lane.gLoss, stepsPerSec: lane.stepsPerSec, diverged: lane.diverged,
    worker: state.workers.lanes[lane.id] ?? null,
    snapshotStep: lane.snapshotStep, checkpointStep: lane.checkpoint?.step ?? null, prepared: lane.prepared?.path ?? null,
    quality: lane.quality && { step: lane.quality.step, fid: lane.quality.fid, classesCovered: lane.quality.classesCovered, histogram: lane.quality.histogram },
    chartPoints: lane.curves.stats.filter((s) => s.phase !== 'g').length,
  };
}
