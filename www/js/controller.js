// The page's commands, shared by the controls and the page API (`window.ganPlayground`, postMessage):
// training, lanes (add, remove, configure), checkpoints (save, load), options, status. Requests that
// the worker answers resolve when its answer arrives, or reject with its message.
import { DATASETS, MAX_LANES, SPEED_RANGE, EVAL_EVERY_RANGE, toQuery } from './state.js';
import { MAX_STEP_REQUEST } from './protocol.js';
import { download } from './timelapse-ui.js';

const PHASES = ['both', 'd', 'g'];
/** Largest checkpoint file accepted (a DCGAN lane with its optimizer state is ~25 MB). */
export const MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The Rust validator (src/config.rs) on this thread, loaded on first use, so a bad configure() never reaches a lane. */
let validatorLoad = null;
function validator() {
  validatorLoad ??= import('../pkg/gan_playground.js').then(async (wasm) => {
    await wasm.default();
    return (config) => JSON.parse(wasm.validateConfig(JSON.stringify(config)));
  });
  return validatorLoad.catch((e) => {
    validatorLoad = null;
    throw new Error(`the validator could not be loaded (${e?.message ?? e})`);
  });
}

/** `base` with `partial` merged in; a new objective brings its own parameters and learning rates unless given. */
function merge(base, partial) {
  const switching = partial.objective !== undefined && partial.objective !== base.objective;
  const keep = switching ? {} : base.params;
  // A `params` that is not an object goes to the validator as it is, which names it.
  const params = partial.params === undefined ? { ...keep } : isObject(partial.params) ? { ...keep, ...partial.params } : partial.params;
  const merged = { ...base, ...partial, params };
  if (switching) for (const key of ['lr_g', 'lr_d']) if (!(key in partial)) delete merged[key];
  return merged;
}

function quoteValue(v) {
  let text;
  try {
    text = typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
  } catch {
    text = typeof v;
  }
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** `ctx`: the page's state and helpers (see main.js). */
export function makeController(ctx) {
  const { state, query, send } = ctx;
  const waiters = [];
  let nextRequest = 1;

  /** A promise settled by the worker's answer about lane `laneId` (`kind`: config, rollback, save). */
  const expect = (laneId, kind, requestId) => new Promise((resolve, reject) => waiters.push({ laneId, kind, requestId, resolve, reject }));

  const index = (i, what) => {
    if (!Number.isInteger(i) || i < 0 || i >= state.lanes.length) {
      throw new Error(`${what}: lane must be a whole number from 0 to ${state.lanes.length - 1}; got ${quoteValue(i)}`);
    }
    return state.lanes[i];
  };

  async function validateAll(configs) {
    const validate = await validator();
    const errors = [];
    const valid = configs.map((c, i) => {
      let result;
      try {
        result = validate(c);
      } catch (e) {
        throw new Error(`configure: the config must be plain JSON data (${e?.message ?? e})`);
      }
      const prefix = configs.length > 1 ? `lane ${i + 1} ` : '';
      for (const e of result.errors ?? []) errors.push({ ...e, field: `${prefix}${e.field}` });
      return result.config;
    });
    return { valid, errors };
  }

  /** Checks the page options `speed` and `eval_every` (either may be absent); throws naming the bad one. */
  function parseOptions({ speed, eval_every: evalEvery }) {
    const opts = {};
    if (speed !== undefined) {
      const v = speed === 'max' ? 0 : Number(speed);
      if (!(v === 0 || (v >= SPEED_RANGE[0] && v <= SPEED_RANGE[1]))) throw new Error(`speed: "max", 0 or ${SPEED_RANGE[0]} to ${SPEED_RANGE[1]} steps/s; got ${quoteValue(speed)}`);
      opts.speed = v;
    }
    if (evalEvery !== undefined) {
      const v = Number(evalEvery);
      if (!Number.isInteger(v) || v < EVAL_EVERY_RANGE[0] || v > EVAL_EVERY_RANGE[1]) {
        throw new Error(`eval_every: a whole number from ${EVAL_EVERY_RANGE[0]} to ${EVAL_EVERY_RANGE[1]}; got ${quoteValue(evalEvery)}`);
      }
      opts.evalEvery = v;
    }
    return opts;
  }

  /** Sets page options (slow motion, measurement interval) without restarting any lane. */
  function setOptions(options) {
    const opts = parseOptions(options);
    if (Object.keys(opts).length === 0) return;
    Object.assign(query.page, opts);
    send({ type: 'options', ...opts });
    ctx.ui().controls?.showOptions(query.page);
    ctx.syncAll();
  }

  /** Sends the validated configs for `lanes` (parallel arrays) and waits for the worker to rebuild them. */
  function apply(lanes, configs) {
    const done = lanes.map((lane, i) => {
      const wait = expect(lane.id, 'config');
      send({ type: lane.config ? 'configure' : 'addLane', lane: lane.id, config: configs[i] });
      return wait;
    });
    return Promise.all(done);
  }

  const controller = {
    play: () => send({ type: 'play' }),
    pause: () => send({ type: 'pause' }),
    /** `n` generator steps of every lane; `phase` 'd' or 'g' steps only the discriminator or the generator. */
    step(n = 1, phase = 'both') {
      if (!Number.isInteger(n) || n < 1 || n > MAX_STEP_REQUEST) {
        throw new Error(`step: n must be a whole number from 1 to ${MAX_STEP_REQUEST}; got ${quoteValue(n)}`);
      }
      if (!PHASES.includes(phase)) throw new Error(`step: phase must be ${PHASES.map((p) => `"${p}"`).join(', ')}; got ${quoteValue(phase)}`);
      send({ type: 'step', n, phase });
    },
    /** Restarts every lane (or lane `i`) from step 0. */
    reset(i) {
      send({ type: 'reset', lane: i === undefined ? undefined : index(i, 'reset').id });
    },
    /** Switches the dataset by reloading the page with the same configuration (training restarts). */
    setDataset(id) {
      if (!Object.hasOwn(DATASETS, id)) throw new Error(`dataset must be ${Object.keys(DATASETS).join(' or ')}`);
      if (id !== query.page.dataset) window.location.search = toQuery(state.lanes.map((l) => l.config), { ...query.page, dataset: id });
    },
    /** Returns lane `i` to its last healthy snapshot; resolves to `{step}` once done. */
    rollback(i = 0) {
      const lane = index(i, 'rollback');
      const done = expect(lane.id, 'rollback');
      send({ type: 'rollback', lane: lane.id });
      return done;
    },
    /**
     * Changes the configuration; resolves to `{config, configs, errors}`. `{lane: i, ...}` changes
     * lane i; `{lanes: [...]}` sets the whole list of lanes (objective ids or partial configs); otherwise
     * the fields apply to every lane. `seed` is shared; `speed` and `eval_every` are page options.
     * If any field is invalid nothing changes (the lanes keep training) and `errors` names each field.
     */
    async configure(partial) {
      if (!isObject(partial)) throw new Error('configure expects an object, e.g. {batch: 32}');
      if (!state.ready) throw new Error('the playground is still starting');
      const { lane: laneArg, lanes: list, speed, eval_every: evalEvery, ...fields } = partial;
      parseOptions({ speed, eval_every: evalEvery }); // a bad option changes nothing
      const optionsOnly = (speed !== undefined || evalEvery !== undefined) && list === undefined && laneArg === undefined && Object.keys(fields).length === 0;
      if (optionsOnly) {
        setOptions({ speed, eval_every: evalEvery });
        return { config: state.lanes[0]?.config, configs: state.lanes.map((l) => l.config), errors: [] };
      }
      let targets;
      let partials;
      if (list !== undefined) {
        if (!Array.isArray(list) || list.length < 1 || list.length > MAX_LANES) throw new Error(`configure: lanes must be an array of 1 to ${MAX_LANES} objective ids or configs`);
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
        ctx.showErrors(errors, 'nothing was changed');
        ctx.ui().controls?.showConfig(ctx.laneById(state.selected)?.config ?? state.lanes[0].config);
        return { config: state.lanes[0]?.config, configs: state.lanes.map((l) => l.config), errors };
      }
      setOptions({ speed, eval_every: evalEvery });
      // The seed is shared by every lane.
      const seed = fields.seed !== undefined ? valid[0].seed : null;
      let lanes = targets.map((lane) => lane ?? ctx.newLane());
      if (list !== undefined) {
        for (const extra of state.lanes.slice(list.length)) controller.removeLane(state.lanes.indexOf(extra));
      }
      if (seed !== null) {
        for (const lane of state.lanes) {
          if (!lanes.includes(lane)) {
            lanes = [...lanes, lane];
            valid.push({ ...lane.config, seed });
          }
        }
      }
      ctx.layoutLanes();
      const results = await apply(lanes, valid);
      return { config: results[0].config, configs: state.lanes.map((l) => l.config), errors: [] };
    },
    /** What the controls change: the selected lane (the seed goes to every lane). */
    configureSelected(partial) {
      const i = Math.max(0, state.lanes.findIndex((l) => l.id === state.selected));
      return controller.configure({ ...partial, lane: i });
    },
    /** Adds a lane (at most four); resolves to `{lane, config, errors}` once it is built. */
    async addLane(partial = {}) {
      if (!isObject(partial)) throw new Error('addLane expects an object, e.g. {objective: "lsgan"}');
      if (state.lanes.length >= MAX_LANES) throw new Error(`at most ${MAX_LANES} lanes; remove one first`);
      const model = ctx.laneById(state.selected)?.config ?? state.lanes[0]?.config ?? {};
      const base = { objective: model.objective, arch: model.arch, batch: model.batch, latent: model.latent, seed: model.seed };
      const { valid, errors } = await validateAll([merge(base, partial)]);
      if (errors.length) {
        ctx.showErrors(errors, 'no lane was added');
        return { lane: null, config: null, errors };
      }
      if (state.lanes.length >= MAX_LANES) throw new Error(`at most ${MAX_LANES} lanes; remove one first`);
      const lane = ctx.newLane();
      state.selected = lane.id;
      ctx.layoutLanes();
      const [result] = await apply([lane], valid);
      return { lane: state.lanes.indexOf(lane), config: result.config, errors: [] };
    },
    /** Removes lane `i` (one lane always stays). */
    removeLane(i) {
      const lane = index(i, 'removeLane');
      if (state.lanes.length === 1) throw new Error('the last lane cannot be removed');
      send({ type: 'removeLane', lane: lane.id });
      state.lanes.splice(i, 1);
      ctx.timelapse.removeLane(lane.id);
      for (const w of waiters.filter((x) => x.laneId === lane.id)) w.reject(new Error('the lane was removed'));
      if (state.selected === lane.id) state.selected = state.lanes[0].id;
      ctx.layoutLanes();
      ctx.renderStatus();
      ctx.syncAll();
    },
    /** A checkpoint of lane `i` now (weights, optimizer state, config, step, curves) as bytes. */
    async saveCheckpoint(i = 0) {
      const lane = index(i, 'saveCheckpoint');
      const requestId = nextRequest++;
      const done = expect(lane.id, 'save', requestId);
      const curves = JSON.stringify({ version: 1, stats: lane.curves.stats, quality: lane.curves.quality });
      send({ type: 'save', lane: lane.id, curves, requestId });
      const { bytes } = await done;
      return bytes;
    },
    /** Saves lane `i` and downloads the file. */
    async downloadCheckpoint(i = 0) {
      const bytes = await controller.saveCheckpoint(i);
      const lane = state.lanes[i];
      download(new Blob([bytes], { type: 'application/octet-stream' }), `gan-lane-${lane.config.objective}-${lane.config.arch}-step${lane.step}.ganlane`);
      return bytes.length;
    },
    /** Adds a lane from checkpoint bytes (a file saved by the page or the CLI); resolves to `{lane, step, config}`. */
    async loadCheckpoint(bytes) {
      const data = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
      if (!(data instanceof Uint8Array)) throw new Error('loadCheckpoint expects the file\'s bytes (a Uint8Array or ArrayBuffer)');
      if (data.length > MAX_CHECKPOINT_BYTES) throw new Error(`the file is ${(data.length / 1e6).toFixed(1)} MB; a checkpoint is at most ${MAX_CHECKPOINT_BYTES / 1e6} MB`);
      if (state.lanes.length >= MAX_LANES) throw new Error(`at most ${MAX_LANES} lanes; remove one before loading a checkpoint`);
      if (!state.ready) throw new Error('the playground is still starting');
      const lane = ctx.newLane();
      const requestId = nextRequest++;
      const done = expect(lane.id, 'config', requestId);
      send({ type: 'addLane', lane: lane.id, checkpoint: data.slice(), requestId });
      try {
        const result = await done;
        state.selected = lane.id;
        ctx.showSelected();
        return { lane: state.lanes.indexOf(lane), step: result.step, config: result.config };
      } catch (e) {
        state.lanes.splice(state.lanes.indexOf(lane), 1);
        ctx.layoutLanes();
        ctx.renderStatus();
        throw e;
      }
    },
    /** Shows lane `i` in the controls, the diagnostics chart and the explorers. */
    select(i) {
      state.selected = index(i, 'select').id;
      ctx.showSelected();
    },
    status() {
      return {
        backend: state.backend, adapter: state.adapter, running: state.running,
        ready: state.ready && state.lanes.every((l) => !l.restoring && l.config),
        dataset: query.page.dataset, crashed: state.crashed, deviceLosses: state.deviceLosses, wasmMemoryBytes: state.memoryBytes,
        selected: state.lanes.findIndex((l) => l.id === state.selected), speed: query.page.speed, evalEvery: query.page.evalEvery,
        embed: query.page.embed, hidden: query.page.hide, metrics: state.metrics,
        lanes: state.lanes.filter((l) => l.config).map((l) => ctx.laneStatus(l, state.lanes.indexOf(l))),
      };
    },
    /** The worker answered about lane `laneId` (main.js calls this). */
    settle(laneId, result, kind = 'config', requestId) {
      const i = waiters.findIndex((w) => w.laneId === laneId && w.kind === kind && (requestId === undefined || w.requestId === requestId));
      if (i >= 0) waiters.splice(i, 1)[0].resolve(result);
    },
    /** The worker refused request `requestId`; returns whether someone was waiting for it. */
    fail(requestId, message) {
      const i = requestId === undefined ? -1 : waiters.findIndex((w) => w.requestId === requestId);
      if (i < 0) return false;
      waiters.splice(i, 1)[0].reject(new Error(message));
      ctx.showNotice(message, 'error');
      return true;
    },
    options: setOptions,
  };

  // Test hooks (README, "Test hooks"): only with ?test=1.
  if (ctx.testMode) {
    controller.testHooks = {
      testPanic: () => send({ type: 'testPanic' }),
      forceDeviceLoss: () => send({ type: 'testDeviceLoss' }),
      setLearningRatesUnchecked: (lrG, lrD, i = 0) => send({ type: 'testLearningRates', lr_g: lrG, lr_d: lrD, lane: index(i, 'test').id }),
      setSnapshotEvery: (n) => {
        state.snapshotEvery = n; // also for workers started later
        send({ type: 'snapshotEvery', n });
      },
    };
  }
  return controller;
}
