// The training session: starts the workers for the store's lanes (worker-pool.js), turns every worker
// event into one store update, and recovers from a crashed worker or a lost GPU device by restoring each
// lane from its last checkpoint. `ready` resolves once the workers are up and every lane is built.
import { defaultWorkers, workerPool } from './worker-pool.js';
import { allBuilt, laneIndex } from './store.js';

const MAX_RESTARTS = 3;

const DATA_FILES = (dataset) => ({
  dataUrl: new URL(`../data/${dataset}.bin`, import.meta.url).href,
  classifierUrl: new URL(`../data/${dataset === 'mnist' ? 'classifier' : `classifier-${dataset}`}.bin`, import.meta.url).href,
});

/** `store`: the page store; `hooks.afterReady()` runs once each time a worker is ready (options, autostart). */
export function createSession(store, hooks = {}) {
  const { state } = store;
  let restarts = 0;
  let resumeAfterRestore = false;
  let snapshotEvery;
  let settleReady;
  let failReady;
  const ready = new Promise((resolve, reject) => { settleReady = resolve; failReady = reject; });
  ready.catch(() => {}); // rejections are reported to whoever awaits it

  // On the CPU backend the lanes train in workers of their own (worker-pool.js); `workers=` sets how many.
  const client = workerPool({
    onEvent: (msg) => onEvent(msg),
    onDeath: (message) => crashed(message),
    maxWorkers: () => state.page.workers ?? defaultWorkers(globalThis.navigator?.hardwareConcurrency),
  });

  /** Where each lane restarts: its checkpoint, or step 0 when it has none yet. */
  function restoreFrom() {
    const from = (l) => (l.checkpoint ? `from its checkpoint at step ${l.checkpoint.step}` : 'from step 0 (no checkpoint yet)');
    if (state.lanes.length === 1) return `the lane ${from(state.lanes[0])}`;
    return state.lanes.map((l, i) => `lane ${i + 1} ${from(l)}`).join(', ');
  }

  async function start(backend) {
    store.update('workerStarting', { backend });
    client.start();
    const lanes = state.lanes.map((l) => ({ id: l.id, config: l.config ?? l.raw ?? {}, checkpoint: l.checkpoint?.bytes ?? null }));
    // A restarted worker keeps the page options (slow motion, quality interval); the first start has none yet.
    const options = { speed: state.page.speed || undefined, evalEvery: state.page.evalEvery ?? undefined, lockstep: state.page.lockstep };
    try {
      const info = await client.request('init', { backend, dataset: state.page.dataset, ...DATA_FILES(state.page.dataset), lanes, snapshotEvery, options });
      store.update('ready', info);
      if (info.notice) store.update('notice', { key: 'backend', text: info.notice, level: 'info' });
      await hooks.afterReady?.(info);
      settleReady(info);
      if (resumeAfterRestore && allBuilt(state)) {
        resumeAfterRestore = false;
        await client.request('play');
      }
    } catch (e) {
      if (e.fallback) return fatal(e.message, e.fallback);
      if (e.code === 'crashed' || state.phase === 'crashed') return undefined; // the crash event offers a restart
      store.update('failed', { message: e.message });
      store.update('notice', { level: 'error', text: `The playground could not start: ${e.message}. Reload the page to try again.` });
      failReady(e);
    }
    return undefined;
  }

  /** The worker is dead (a panic or an uncaught error): say so and offer a restart that restores the lanes. */
  function crashed(message) {
    client.stop(message);
    store.update('crashed', { message });
    store.update('notice', {
      key: 'crash', level: 'error',
      text: `${message}. Training stopped; Restart starts a new worker and restores ${restoreFrom()}.`,
      actions: [{ label: 'Restart', run: () => start(state.page.backend) }],
    });
  }

  /** WebGPU start-up failed: restart on `fallback`, at most a few times. */
  function fatal(message, fallback) {
    if (++restarts > MAX_RESTARTS) {
      client.stop(message);
      store.update('failed', { message });
      store.update('notice', { level: 'error', text: `${message} — the training worker failed ${MAX_RESTARTS} times; reload the page to try again.` });
      failReady(new Error(message));
      return undefined;
    }
    store.update('notice', { level: 'error', text: `${message} — restarting the training worker${fallback === 'cpu' ? ' on the CPU backend' : ''}.` });
    return start(fallback === 'cpu' ? 'cpu' : state.page.backend);
  }

  /** The GPU device was lost: restore the lanes from their checkpoints on a new device, or on the CPU after a second loss. */
  function deviceLost(msg) {
    // Read before the update, which stops the lanes: training resumes on the new worker if it was running.
    resumeAfterRestore = resumeAfterRestore || state.running;
    store.update('deviceLost');
    const retryGpu = msg.backend === 'webgpu' && state.deviceLosses === 1;
    const what = msg.simulated ? `Simulated GPU device loss (${msg.message})` : `The GPU device was lost (${msg.reason}${msg.message ? `: ${msg.message}` : ''})`;
    const restored = state.lanes.length === 1 ? `The lane is restored ${restoreFrom().slice('the lane '.length)}` : `The lanes are restored (${restoreFrom()})`;
    store.update('notice', { level: 'warn', text: `${what}. ${restored} on ${retryGpu ? 'a new WebGPU device' : 'the CPU backend'}.` });
    start(retryGpu ? state.page.backend : 'cpu');
  }

  function showDiverged(msg) {
    const n = laneIndex(state, msg.lane) + 1;
    const many = state.lanes.length > 1;
    const what = `${[msg.losses && 'a loss', msg.weights && 'the weights'].filter(Boolean).join(' and ')} became NaN or infinite`;
    store.update('notice', {
      key: `diverged-${msg.lane}`, level: 'error',
      text: `${many ? `Lane ${n}: t` : 'T'}raining diverged at step ${msg.step} (${what}). The last good samples are kept${many ? '; the other lanes go on' : ''}. Roll back to the snapshot of step ${msg.snapshotStep} (the same steps then repeat exactly, so unchanged settings diverge again) or reset with lower learning rates.`,
      actions: [
        { label: `Roll back ${many ? `lane ${n} ` : ''}to step ${msg.snapshotStep}`, command: ['rollback', msg.lane] },
        { label: 'Reset', command: ['reset', msg.lane] },
      ],
    });
  }

  function onEvent(msg) {
    switch (msg.type) {
      case 'loading': return store.update('loading', msg);
      case 'laneBuilt': return store.update('laneBuilt', msg);
      case 'stats': return store.update('stats', msg);
      case 'samples': return store.update('samples', msg);
      case 'quality': return store.update('quality', msg);
      case 'codeGrid': return store.update('view', { kind: 'codeGrid', msg });
      case 'interpolation': return store.update('view', { kind: 'interpolation', msg });
      case 'running': return store.update('running', msg);
      case 'checkpoint': return store.update('checkpoint', msg);
      case 'diverged':
        store.update('diverged', msg);
        return showDiverged(msg);
      case 'notice': return store.update('notice', { text: msg.message, level: msg.level ?? 'warn' });
      case 'error': return store.update('notice', { text: msg.message, level: 'error' });
      case 'deviceLost': return deviceLost(msg);
      case 'crashed': return crashed(msg.message);
      case 'workers': return store.update('workers', msg);
      default: return undefined;
    }
  }

  return {
    ready,
    start,
    request: (type, args, transfer) => client.request(type, args, transfer),
    /** Test hook: the snapshot interval, also for workers started later. */
    setSnapshotEvery(n) {
      snapshotEvery = n;
      return client.request('snapshotEvery', { n });
    },
  };
}
