// The 2-D mode's URL: a declarative table of keys (each with its default and parser) ↔ the mode's
// config and options. Ranges and names are checked again by the wasm module (src/plane/mod.rs). `embed=`
// and `hide=` are the image mode's (../url.js, ../layout.js). No DOM.
import { HIDEABLE, quote, autosaveParam } from '../url.js';

/** The 2-D data sets (`dataset=`); src/plane/data.rs lists the same ids, the page checks them against it. */
export const PLANE_DATASETS = ['ring', 'grid', 'moons', 'spiral', 'line', 'gaussians', 'drawn'];
export const isPlaneDataset = (id) => PLANE_DATASETS.includes(id);

const int = (v) => (/^-?\d+$/.test(v) ? Number(v) : null);
const num = (v) => (v !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
const word = (v) => (/^[a-z0-9-]{1,40}$/.test(v) ? v : null);

/** key → [field, default, parse]; `null` defaults are left to the module. */
const CONFIG_TABLE = {
  dataset: ['dataset', 'ring', (v) => (isPlaneDataset(v) ? v : null)],
  g_layers: ['g_layers', 2, int],
  g_neurons: ['g_neurons', 32, int],
  d_layers: ['d_layers', 2, int],
  d_neurons: ['d_neurons', 32, int],
  activation: ['activation', 'leaky', word],
  latent: ['latent', 2, int],
  latent_dist: ['latent_dist', 'uniform', word],
  batch: ['batch', 64, int],
  seed: ['seed', 1, int],
  lr_g: ['lr_g', null, num],
  lr_d: ['lr_d', null, num],
};
/** The settings `configure()` takes: the table's fields, the objectives of the lanes and the drawn points. */
export const PLANE_CONFIG_FIELDS = [...Object.values(CONFIG_TABLE).map(([field]) => field), 'lanes', 'points'];

const flag = (v) => (['1', 'true'].includes(v) ? true : ['0', 'false', ''].includes(v) ? false : null);
const OPTION_TABLE = {
  speed: ['speed', 0, num],
  autostart: ['autostart', false, flag],
  embed: ['embed', false, flag],
  layers: ['hiddenLayers', [], (v) => v.split(',').filter(Boolean)],
  // `autosave=0|1|N` as in the image mode: read again against the module's limits (`planeAutosave`).
  autosave: ['autosave', null, (v) => (autosaveParam(v, null).seconds === 0 ? 0 : v)],
};

/**
 * Seconds between autosaves from the URL's `autosave` (`options.autosave`: 0, the raw text or null)
 * and the module's `autosaveEvery` range: `{seconds, notice}` (the default, with a notice, for a bad value).
 */
export function planeAutosave(raw, range) {
  if (raw === null || raw === undefined) return { seconds: range.default, notice: null };
  const { seconds, notice } = autosaveParam(String(raw), range);
  return { seconds: seconds ?? range.default, notice };
}

/** Points as `x,y;x,y;…` with two decimals. */
export const encodePoints = (points) => points.map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`).join(';');
export function decodePoints(text) {
  const pts = text.split(';').filter(Boolean).map((p) => p.split(',').map(Number));
  return pts.every((p) => p.length === 2 && p.every(Number.isFinite)) ? pts : null;
}

/** `{config, options, notices}` from a query string; `lanes=a,b` (or `objective=a`) names one objective per lane. */
export function parsePlaneQuery(query) {
  const params = new URLSearchParams(query);
  const notices = [];
  const read = (table, target) => {
    for (const [key, [field, dflt, parse]] of Object.entries(table)) {
      target[field] = dflt;
      const raw = params.get(key);
      if (raw === null) continue;
      const v = parse(raw.slice(0, 200));
      if (v === null) notices.push(`URL parameter "${key}" is not valid; using the default.`);
      else target[field] = v;
    }
  };
  const config = {};
  const options = {};
  read(CONFIG_TABLE, config);
  read(OPTION_TABLE, options);
  const lanes = (params.get('lanes') ?? params.get('objective') ?? 'nonsaturating').split(',').map((s) => s.trim()).filter(Boolean);
  config.lanes = lanes.slice(0, 4).map((l) => word(l) ?? 'nonsaturating');
  options.hide = [];
  if (params.has('hide')) {
    const names = params.get('hide').split(',').map((n) => n.trim()).filter(Boolean);
    options.hide = names.filter((n) => HIDEABLE.includes(n));
    const unknown = names.find((n) => !HIDEABLE.includes(n));
    if (unknown) notices.push(`URL parameter "hide": unknown name ${quote(unknown)} ignored (known: ${HIDEABLE.join(', ')}).`);
  }
  const backend = params.get('backend');
  if (backend !== null && backend !== 'cpu' && backend !== 'auto') {
    notices.push(`URL parameter "backend": ${quote(backend)} ignored; the 2-D mode trains on the CPU backend, the faster one for its small nets (measured in docs/plane.md, "Backend").`);
  }
  config.points = [];
  if (params.has('points')) {
    const pts = decodePoints(params.get('points'));
    if (pts) config.points = pts;
    else notices.push('URL parameter "points" must be x,y;x,y;…; ignored.');
  }
  return { config, options, notices };
}

/** The query string of a config and options (defaults left out; `limits`: the module's, for autosave's default). */
export function toPlaneQuery(config, options, limits = null) {
  const params = new URLSearchParams();
  params.set('dataset', config.dataset);
  params.set('lanes', config.lanes.join(','));
  for (const [key, [field, dflt]] of Object.entries(CONFIG_TABLE)) {
    if (key !== 'dataset' && config[field] !== dflt && config[field] !== null) params.set(key, String(config[field]));
  }
  if (options.speed) params.set('speed', String(options.speed));
  if (options.autostart) params.set('autostart', '1');
  if (options.embed) params.set('embed', '1');
  const every = limits?.autosaveEvery?.default;
  if (options.autosave === 0 || (Number.isInteger(options.autosave) && every && options.autosave !== every)) params.set('autosave', String(options.autosave));
  if (options.hide?.length) params.set('hide', options.hide.join(','));
  if (config.dataset === 'drawn' && config.points.length) params.set('points', encodePoints(config.points));
  return params.toString();
}

/** One lane's config as the module takes it (`PlaneConfig::from_json`). */
export function laneConfig(config, objective) {
  const c = { objective, dataset: config.dataset };
  for (const [field] of Object.values(CONFIG_TABLE)) if (config[field] !== null && field !== 'dataset') c[field] = config[field];
  if (config.dataset === 'drawn') c.points = config.points;
  return c;
}
