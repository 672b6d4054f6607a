// The URL codec: the query string holds the whole configuration (lanes, objectives, every
// hyper-parameter, seed, speed, lesson options) so a link reproduces a lesson. DOM-free; the limits it
// checks against come from the wasm module (`limits()`, src/page.rs).
import { checkpointParam, preparedPathProblem } from './prepared.js';

/** Query parameters that map onto a lane's configuration (validated by the wasm module). */
export const CONFIG_KEYS = ['objective', 'arch', 'lr_g', 'lr_d', 'batch', 'latent', 'seed'];
/** Keys a lane may override in the multi-lane form (`lane2.arch=dcgan`); the seed is shared. */
export const LANE_KEYS = ['objective', 'arch', 'lr_g', 'lr_d', 'batch', 'latent'];
/** Query parameters about the page rather than a lane. */
export const PAGE_KEYS = ['autostart', 'backend', 'dataset', 'lanes', 'embed', 'hide', 'speed', 'eval_every', 'lesson', 'autosave', 'lockstep', 'workers', 'checkpoint'];
/** Datasets the build ships (`data/<id>.bin` and `data/classifier[-<id>].bin`), the first is the default. */
export const DATASETS = { mnist: 'MNIST digits', fashion: 'Fashion-MNIST' };
/** Names `hide=` accepts, each a control or panel a lesson link may hide (see `layout.js`). */
export const HIDEABLE = [
  'controls', 'play', 'pause', 'step', 'step-modes', 'reset', 'copy-link', 'objective', 'arch', 'dataset', 'params',
  'general', 'lanes', 'speed', 'metrics', 'histograms', 'charts', 'diagnostics', 'timelapse', 'interpolation', 'codes',
  'checkpoints', 'status', 'explainer', 'overview', 'lesson', 'share',
];
/** A lesson id as `lesson=` takes it (lessons.js checks that the lesson exists). */
const LESSON_ID = /^[a-z0-9-]{0,40}$/;
const PARAM_PREFIX = 'p.';
const LANE_PREFIX = /^lane([1-9][0-9]*)\.(.+)$/;
const MAX_VALUE_LENGTH = 200;
const MAX_KEY_LENGTH = 40;
/** URL problems listed one by one; the rest are counted in one last notice. */
const MAX_URL_NOTICES = 8;

/** Quotes user text for a notice, shortened so a long value cannot flood the page. */
export function quote(text, max = 40) {
  const chars = Array.from(String(text));
  return JSON.stringify(chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join(''));
}

/** Page options before the URL is read; `evalEvery` is null until the limits say its default. */
export const defaultPage = (limits = null) => ({
  autostart: false, backend: 'auto', dataset: 'mnist', embed: false, hide: [], speed: 0, evalEvery: limits?.evalEvery.default ?? null, lesson: null,
  // Seconds between autosaves; 0: off (`autosave=0`), null until the limits say the default.
  autosave: limits?.autosaveEvery?.default ?? null,
  // Lanes in step (every lane the same steps per round, the slowest sets the pace); off: each its own pace.
  lockstep: false,
  // CPU workers for the lanes (`workers=`); null: one per core but one (worker-pool.js).
  workers: null,
  // Prepared checkpoints (`checkpoint=a.ganlane,,b.ganlane`): one path per lane, '' for none (prepared.js).
  checkpoints: [],
});

/**
 * `autosave=`: 0 turns autosave off, 1 keeps the default interval, a number in `range` (the module's
 * `autosaveEvery`) sets it in seconds. `{seconds, notice}`: seconds null when it stays as it is (a bad
 * value, with a notice; or no range yet, to be read again once the limits are known). Both modes use it.
 */
export function autosaveParam(value, range) {
  const v = value.trim() === '' ? NaN : Number(value);
  if (v === 0) return { seconds: 0, notice: null };
  if (!range) return { seconds: null, notice: null };
  if (v === 1) return { seconds: range.default, notice: null };
  if (!Number.isInteger(v) || v < range.min || v > range.max) {
    return { seconds: null, notice: `URL parameter "autosave" must be 0 (off), 1 (on) or a whole number of seconds from ${range.min} to ${range.max}; saving every ${range.default} s.` };
  }
  return { seconds: v, notice: null };
}

/** Reads one page option into `page`; returns a notice for a bad value, or null. */
function readPageKey(page, key, value, limits) {
  const flag = (name, consequence) => {
    if (['1', 'true'].includes(value)) return true;
    if (['0', 'false', ''].includes(value)) return false;
    throw new Error(`URL parameter "${name}" must be 1 or 0; ${consequence}.`);
  };
  try {
    if (key === 'autostart') page.autostart = flag('autostart', 'training waits for play');
    else if (key === 'lockstep') page.lockstep = flag('lockstep', 'each lane trains at its own pace');
    else if (key === 'workers' && limits) {
      const v = value.trim() === '' ? NaN : Number(value);
      if (!Number.isInteger(v) || v < 1 || v > limits.maxLanes) return `URL parameter "workers" must be a whole number from 1 to ${limits.maxLanes}; using one per core but one.`;
      page.workers = v;
    }
    else if (key === 'checkpoint') {
      const paths = value.split(',').map((s) => s.trim());
      const max = limits?.maxLanes ?? paths.length;
      const problems = paths.map((p) => (p === '' ? null : preparedPathProblem(p)));
      page.checkpoints = paths.slice(0, max).map((p, i) => (problems[i] ? '' : p));
      const bad = problems.findIndex(Boolean);
      if (bad >= 0) return `URL parameter "checkpoint": entry ${bad + 1} (${quote(paths[bad])}) is not a checkpoint of this site: ${problems[bad]}; that lane starts from step 0.`;
      if (paths.length > max) return `URL parameter "checkpoint" names ${paths.length} files for at most ${max} lanes; the rest are ignored.`;
    }
    else if (key === 'embed') page.embed = flag('embed', 'the full layout is used');
    else if (key === 'backend') {
      if (!['auto', 'webgpu', 'cpu'].includes(value)) return 'URL parameter "backend" must be auto, webgpu or cpu; using auto.';
      page.backend = value;
    } else if (key === 'dataset') {
      if (!Object.hasOwn(DATASETS, value)) return `URL parameter "dataset" must be ${Object.keys(DATASETS).join(' or ')}; using mnist.`;
      page.dataset = value;
    } else if (key === 'hide') {
      const names = value.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => !HIDEABLE.includes(n));
      page.hide = names.filter((n) => HIDEABLE.includes(n));
      if (unknown.length) return `URL parameter "hide": unknown name ${quote(unknown[0])} ignored (known: ${HIDEABLE.join(', ')}).`;
    } else if (key === 'lesson') {
      page.lesson = LESSON_ID.test(value) ? value : '';
      if (page.lesson !== value) return 'URL parameter "lesson" must be a lesson id (lower-case letters, digits and -); showing the lesson list.';
    } else if (key === 'speed' && limits) {
      const v = Number(value);
      const { min, max } = limits.speed;
      if (value === 'max' || value === '') page.speed = 0;
      else if (!(v >= min && v <= max)) return `URL parameter "speed" must be max or ${min} to ${max} steps/s; using max.`;
      else page.speed = v;
    } else if (key === 'autosave') {
      const { seconds, notice } = autosaveParam(value, limits?.autosaveEvery);
      if (seconds !== null) page.autosave = seconds;
      return notice;
    } else if (key === 'eval_every' && limits) {
      const v = value.trim() === '' ? NaN : Number(value);
      const { min, max, default: fallback } = limits.evalEvery;
      if (!Number.isInteger(v) || v < min || v > max) return `URL parameter "eval_every" must be a whole number from ${min} to ${max}; using ${fallback}.`;
      page.evalEvery = v;
    }
  } catch (e) {
    return e.message;
  }
  return null;
}

/**
 * Reads a query string into `{lanes: [rawConfig], page, notices}`. Values are kept as strings: the
 * wasm validator checks ranges and names the field. Without `limits` (before the module is loaded)
 * only the options that start the worker (dataset, backend, embed, hide) are meaningful. One lane: `objective=…&lr_g=…&p.key=…`. Several:
 * `lanes=nonsaturating,lsgan` with shared values at the top level and per-lane overrides as
 * `lane2.lr_g=…`, `lane2.p.key=…`. Unknown, over-long and repeated keys become notices.
 */
export function parseQuery(search, limits = null) {
  const params = new URLSearchParams(search);
  const top = {};
  const page = defaultPage(limits);
  const perLane = new Map();
  const notices = [];
  const seen = new Set();
  let laneList = null;
  for (const [key, rawValue] of params) {
    if (key.length > MAX_KEY_LENGTH) {
      notices.push(`URL parameter name is ${key.length} characters long (at most ${MAX_KEY_LENGTH}); ignored.`);
      continue;
    }
    if (seen.has(key)) {
      notices.push(`URL parameter ${quote(key)} is repeated; the first value (${quote(params.get(key))}) is used.`);
      continue;
    }
    seen.add(key);
    if (rawValue.length > MAX_VALUE_LENGTH) {
      notices.push(`URL parameter ${quote(key)} is ${rawValue.length} characters long (at most ${MAX_VALUE_LENGTH}); ignored.`);
      continue;
    }
    const laneKey = LANE_PREFIX.exec(key);
    if (CONFIG_KEYS.includes(key)) {
      top[key] = rawValue;
    } else if (key.startsWith(PARAM_PREFIX)) {
      // No prototype: a parameter named `__proto__` stays an ordinary key, which the validator refuses.
      top.params ??= Object.create(null);
      top.params[key.slice(PARAM_PREFIX.length)] = rawValue;
    } else if (key === 'lanes') {
      laneList = rawValue.split(',').map((s) => s.trim());
    } else if (PAGE_KEYS.includes(key)) {
      const notice = readPageKey(page, key, rawValue, limits);
      if (notice) notices.push(notice);
    } else if (laneKey) {
      const [, n, sub] = laneKey;
      if (sub.startsWith(PARAM_PREFIX)) {
        const entry = perLane.get(Number(n)) ?? {};
        entry.params ??= Object.create(null);
        entry.params[sub.slice(PARAM_PREFIX.length)] = rawValue;
        perLane.set(Number(n), entry);
      } else if (LANE_KEYS.includes(sub)) {
        perLane.set(Number(n), { ...(perLane.get(Number(n)) ?? {}), [sub]: rawValue });
      } else {
        notices.push(`URL parameter ${quote(key)}: ${sub === 'seed' ? 'the seed is shared by all lanes' : 'not a lane setting'}; ignored.`);
      }
    } else {
      notices.push(`Unknown URL parameter ${quote(key)} ignored.`);
    }
  }
  const built = buildLanes(top, laneList, perLane, notices, limits?.maxLanes ?? Infinity);
  // An address that names no configuration starts with the module's first lane (page.rs `first_lane`).
  const named = laneList !== null || Object.keys(top).length > 0;
  const lanes = named || !limits?.firstLane ? built : [{ ...limits.firstLane }];
  if (notices.length > MAX_URL_NOTICES) {
    const rest = notices.splice(MAX_URL_NOTICES - 1);
    notices.push(`… and ${rest.length} more URL problems not shown.`);
  }
  return { lanes, page, notices, config: lanes[0] };
}

function buildLanes(top, laneList, perLane, notices, maxLanes) {
  if (laneList === null) {
    for (const n of perLane.keys()) notices.push(`URL parameter "lane${n}.…" needs lanes=…; ignored.`);
    return [top];
  }
  let list = laneList;
  if (list.length > maxLanes || list.some((id) => id === '')) {
    notices.push(`URL parameter "lanes" takes 1 to ${maxLanes} objective ids separated by commas; using the first ${Math.min(maxLanes, list.filter(Boolean).length) || 1}.`);
    list = list.filter(Boolean).slice(0, maxLanes);
    if (list.length === 0) list = [top.objective ?? 'nonsaturating'];
  }
  if (top.objective !== undefined) notices.push('URL parameter "objective" is ignored when "lanes" names the objectives.');
  if (top.params && list.length > 1) notices.push('Objective parameters need a lane prefix when there are several lanes (e.g. lane2.p.k=2); the unprefixed ones are ignored.');
  for (const n of perLane.keys()) if (n > list.length) notices.push(`URL parameters "lane${n}.…" name a lane that "lanes" does not have; ignored.`);
  const { objective: _, params: topParams, ...shared } = top;
  return list.map((objective, i) => {
    const own = perLane.get(i + 1) ?? {};
    const params = list.length === 1 ? { ...(topParams ?? {}), ...(own.params ?? {}) } : own.params;
    return { ...shared, objective, ...own, ...(params ? { params } : {}) };
  });
}

/** Writes validated lane configs (and page options) back into a query string. */
export function toQuery(configs, page, limits = null) {
  const params = new URLSearchParams();
  if (configs.length === 1) {
    const [config] = configs;
    for (const key of CONFIG_KEYS) if (config[key] !== undefined) params.set(key, String(config[key]));
    for (const [key, value] of Object.entries(config.params ?? {})) params.set(PARAM_PREFIX + key, String(value));
  } else if (configs.length > 1) {
    params.set('lanes', configs.map((c) => c.objective).join(','));
    if (configs[0].seed !== undefined) params.set('seed', String(configs[0].seed));
    for (const key of LANE_KEYS.slice(1)) {
      const values = configs.map((c) => c[key]);
      if (values.every((v) => v === values[0])) {
        if (values[0] !== undefined) params.set(key, String(values[0]));
      } else {
        configs.forEach((c, i) => c[key] !== undefined && params.set(`lane${i + 1}.${key}`, String(c[key])));
      }
    }
    configs.forEach((c, i) => {
      for (const [key, value] of Object.entries(c.params ?? {})) params.set(`lane${i + 1}.${PARAM_PREFIX}${key}`, String(value));
    });
  }
  const d = defaultPage(limits);
  if (page.autostart) params.set('autostart', '1');
  if (page.backend && page.backend !== d.backend) params.set('backend', page.backend);
  if (page.dataset && page.dataset !== d.dataset) params.set('dataset', page.dataset);
  if (page.speed) params.set('speed', String(page.speed));
  if (page.lockstep) params.set('lockstep', '1');
  if (page.workers) params.set('workers', String(page.workers));
  if (page.evalEvery && d.evalEvery !== null && page.evalEvery !== d.evalEvery) params.set('eval_every', String(page.evalEvery));
  if (page.lesson !== null && page.lesson !== undefined) params.set('lesson', page.lesson);
  if (page.autosave === 0 || (page.autosave && d.autosave !== null && page.autosave !== d.autosave)) params.set('autosave', String(page.autosave));
  const checkpoint = checkpointParam(page.checkpoints ?? []);
  if (checkpoint) params.set('checkpoint', checkpoint);
  if (page.embed) params.set('embed', '1');
  if (page.hide?.length) params.set('hide', page.hide.join(','));
  return params.toString();
}
