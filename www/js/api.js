// Page API for course pages and tests: `window.ganPlayground` (with a `ready` promise), and the same
// commands over postMessage when the playground runs inside an iframe, plus `gan-playground:ready`,
// `:status`, `:lane` and `:resize` messages to the host. Only the documented message shape is accepted.

const MESSAGE_TYPE = 'gan-playground';
/** Commands and the most arguments each takes. */
const ARITY = {
  play: 0, pause: 0, step: 2, reset: 1, rollback: 1, configure: 1, status: 0, addLane: 1, removeLane: 1, select: 1,
  saveCheckpoint: 1, loadCheckpoint: 1, setAutosave: 1,
};
const MESSAGE_KEYS = ['type', 'command', 'args', 'id'];
const MAX_ID_LENGTH = 100;
/** Largest configure() argument accepted over postMessage, as JSON text. */
export const MAX_CONFIG_JSON = 16384;

/**
 * Installs `window.ganPlayground` over `controller` (play, pause, step, reset, rollback, configure,
 * addLane, removeLane, select, saveCheckpoint, loadCheckpoint, setAutosave, status), plus `controller.testHooks`
 * when the page enabled them (`?test=1`; not over postMessage).
 */
export function installApi(controller) {
  const api = Object.freeze({
    ready: controller.ready.then(() => controller.status()),
    play: () => controller.play(),
    pause: () => controller.pause(),
    step: (n = 1, phase = 'both') => controller.step(n, phase),
    reset: (lane) => controller.reset(lane),
    rollback: (lane = 0) => controller.rollback(lane),
    addLane: (config) => controller.addLane(config),
    removeLane: (lane) => controller.removeLane(lane),
    select: (lane) => controller.select(lane),
    saveCheckpoint: (lane = 0) => controller.saveCheckpoint(lane),
    loadCheckpoint: (bytes) => controller.loadCheckpoint(bytes),
    setAutosave: (on) => controller.setAutosave(on),
    ...(controller.testHooks ?? {}),
    configure: (config) => controller.configure(config),
    status: () => controller.status(),
  });
  return serveApi(api, ARITY);
}

/**
 * Publishes `api` (an object of commands and a `ready` promise of the first status) as
 * `window.ganPlayground` and, inside an iframe, serves the commands listed in `arity` (name → most
 * arguments) over postMessage, posts `gan-playground:ready` once `api.ready` resolves and
 * `gan-playground:resize` whenever the content height changes. Both modes use it (plane/api.js).
 */
export function serveApi(api, arity) {
  window.ganPlayground = api;
  if (window.parent !== window) {
    window.addEventListener('message', (event) => {
      try {
        // Only the embedding page drives the playground.
        if (event.source !== window.parent) return;
        const request = parseRequest(event.data, arity);
        if (request) answer(api, request, event.source);
      } catch (e) {
        console.warn('gan-playground: message ignored:', e?.message ?? e);
      }
    });
    api.ready.then((status) => toHost({ type: `${MESSAGE_TYPE}:ready`, status }), () => {});
    postHeight();
  }
  return api;
}

/**
 * `{command, args, id}` from a message of the documented shape `{type: 'gan-playground', command,
 * args?, id?}`, or null. Messages of other types are ignored silently; malformed ones of our type with
 * a console warning. Argument values are checked later, and answered with `ok: false`.
 */
export function parseRequest(msg, arity = ARITY) {
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg) || msg.type !== MESSAGE_TYPE) return null;
  const refuse = (why) => {
    console.warn(`gan-playground: message ignored: ${why}`);
    return null;
  };
  const extra = Object.keys(msg).filter((k) => !MESSAGE_KEYS.includes(k));
  if (extra.length > 0) return refuse(`unexpected key ${JSON.stringify(extra[0].slice(0, 40))}`);
  const { command, args = [], id } = msg;
  if (typeof command !== 'string' || !Object.hasOwn(arity, command)) return refuse('unknown command');
  const idOk = id === undefined || Number.isFinite(id) || (typeof id === 'string' && id.length <= MAX_ID_LENGTH);
  if (!idOk) return refuse(`id must be a number or a string of at most ${MAX_ID_LENGTH} characters`);
  if (!Array.isArray(args) || args.length > arity[command]) return refuse(`${command} takes at most ${arity[command]} argument(s) in an array`);
  return { command, args, id };
}

/** Checks a command's arguments; returns an error message naming the argument and its range, or null. */
function argumentError(command, args) {
  if (command === 'configure') {
    const config = args[0];
    if (config === null || typeof config !== 'object' || Array.isArray(config)) return 'configure: expects one object, e.g. {batch: 32}';
    let size;
    try {
      size = JSON.stringify(config).length;
    } catch {
      return 'configure: the config must be plain JSON data';
    }
    if (size > MAX_CONFIG_JSON) return `configure: the config is ${size} characters of JSON; at most ${MAX_CONFIG_JSON} accepted`;
  }
  return null;
}

async function answer(api, { command, args, id }, source) {
  const reply = (body) => {
    try {
      source.postMessage({ type: `${MESSAGE_TYPE}:reply`, id, ...body }, '*');
    } catch (e) {
      console.warn('gan-playground: could not reply:', e?.message ?? e);
    }
  };
  const invalid = argumentError(command, args);
  if (invalid) return reply({ ok: false, error: invalid });
  try {
    const result = await api[command](...args);
    reply({ ok: true, result: result ?? null });
  } catch (e) {
    reply({ ok: false, error: String(e?.message ?? e).slice(0, 500) });
  }
}

function toHost(msg) {
  if (window.parent !== window) window.parent.postMessage(msg, '*');
}

/** Sends a status event (all lanes) to the embedding page, if any. */
export function emitStatus(status) {
  toHost({ type: `${MESSAGE_TYPE}:status`, status });
}

let lastHeight = 0;
/** Tells the host the content's height (`gan-playground:resize`), whenever it changes, so it can size the frame. */
function postHeight() {
  const send = () => {
    const height = Math.ceil(document.body.getBoundingClientRect().bottom + window.scrollY);
    if (height === lastHeight) return;
    lastHeight = height;
    toHost({ type: `${MESSAGE_TYPE}:resize`, height });
  };
  new ResizeObserver(send).observe(document.body);
  send();
}

const laneEmits = new Map();
/** Sends one lane's status to the embedding page, at most 4 times a second per lane. */
export function emitLane(lane) {
  if (window.parent === window) return;
  const now = performance.now();
  if (now - (laneEmits.get(lane.id) ?? -Infinity) < 250) return;
  laneEmits.set(lane.id, now);
  window.parent.postMessage({ type: `${MESSAGE_TYPE}:lane`, lane }, '*');
}
