// The page's end of the worker protocol: starts the training worker, sends requests (each resolves or
// rejects with its one reply) and hands events to one listener. A dead worker rejects what is pending.
import { requestMaker, checkWorkerMessage } from './protocol.js';

/** Starts the module worker at `url` (default: the training worker), also inside a sandboxed iframe. */
export function createWorker(url = new URL('./worker.js', import.meta.url)) {
  try {
    return new Worker(url, { type: 'module' });
  } catch (e) {
    // A sandboxed iframe has an opaque origin, so the worker's URL is cross-origin and refused: start a
    // module worker from a data: URL that imports it (the server must then allow CORS, as for the
    // modules). Chromium refuses module workers from blob: URLs of an opaque origin.
    if (e?.name !== 'SecurityError') throw e;
    const boot = `import ${JSON.stringify(url.href)};`;
    return new Worker(`data:text/javascript,${encodeURIComponent(boot)}`, { type: 'module' });
  }
}

/** An error from a refused request; `code` and the reply's other fields travel with it. */
export class RequestError extends Error {
  constructor(reply) {
    super(reply.error);
    const { kind: _k, id: _i, ok: _o, error: _e, ...extra } = reply;
    Object.assign(this, extra);
  }
}

/**
 * `onEvent(msg)` hears every event; `onDeath(message)` hears an uncaught worker error; `create()` makes
 * the worker (tests pass a stand-in). Returns `{start(), request(type, args, transfer), stop()}`;
 * `start()` replaces any running worker.
 */
export function workerClient({ onEvent, onDeath, create = createWorker }) {
  const make = requestMaker();
  let worker = null;
  let pending = new Map();

  const rejectAll = (message) => {
    for (const { reject } of pending.values()) reject(new Error(message));
    pending = new Map();
  };

  return {
    start() {
      worker?.terminate();
      rejectAll('the training worker was restarted');
      const w = create();
      worker = w;
      w.onmessage = (e) => {
        if (w !== worker) return;
        const msg = e.data;
        const invalid = checkWorkerMessage(msg);
        if (invalid) return console.warn(`gan-playground: worker message ignored: ${invalid}`);
        if (msg.kind === 'event') return onEvent(msg);
        const waiter = pending.get(msg.id);
        if (!waiter) return;
        pending.delete(msg.id);
        if (msg.ok) waiter.resolve(msg.result);
        else waiter.reject(new RequestError(msg));
      };
      w.onerror = (e) => {
        e.preventDefault?.();
        if (w !== worker) return;
        const message = `the training worker failed: ${e.message || 'unknown error'}`;
        rejectAll(message);
        onDeath(message);
      };
    },
    request(type, args = {}, transfer = []) {
      if (!worker) return Promise.reject(new Error('the training worker is not running'));
      const msg = make(type, args);
      return new Promise((resolve, reject) => {
        pending.set(msg.id, { resolve, reject });
        worker.postMessage(msg, transfer);
      });
    },
    stop(message = 'the training worker was stopped') {
      worker?.terminate();
      worker = null;
      rejectAll(message);
    },
  };
}
