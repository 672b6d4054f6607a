// The 2-D mode's configure(): which changes are settings (rebuild every lane) and which are options
// (speed), checked field by field, the settings by the wasm module itself (`validate`). No DOM.
import { PLANE_CONFIG_FIELDS, laneConfig } from './url.js';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `plane`: the store's `state.plane`; `changes`: e.g. `{dataset: 'moons', lanes: ['lsgan', 'wgan-gp'],
 * d_neurons: 16, speed: 4}`; `validate(configs)`: the worker's request. Resolves to `{config, options,
 * errors}`: the setting and option changes to apply (null when none), or the errors, one per field.
 */
export async function configureChanges(plane, changes, validate) {
  if (!isObject(changes)) return { config: null, options: null, errors: [{ field: 'config', message: 'configure expects one object, e.g. {dataset: "moons"}' }] };
  const errors = [];
  const config = {};
  let options = null;
  for (const [key, value] of Object.entries(changes)) {
    if (key === 'speed') {
      if (Number.isFinite(value) && value >= 0) options = { speed: value };
      else errors.push({ field: 'speed', message: `got ${JSON.stringify(value)}; expected 0 (full speed) or a number of steps per second` });
    } else if (PLANE_CONFIG_FIELDS.includes(key)) {
      config[key] = value;
    } else {
      errors.push({ field: key.slice(0, 40), message: `not a 2-D setting; known: ${PLANE_CONFIG_FIELDS.join(', ')}, speed` });
    }
  }
  const { maxLanes } = plane.limits;
  if ('lanes' in config) {
    const l = config.lanes;
    if (!Array.isArray(l) || l.length < 1 || l.length > maxLanes || !l.every((o) => typeof o === 'string')) {
      errors.push({ field: 'lanes', message: `expected 1 to ${maxLanes} objective ids, e.g. ["nonsaturating", "wgan-gp"]` });
    }
  }
  if (errors.length) return { config: null, options: null, errors };
  if (Object.keys(config).length === 0) return { config: null, options, errors };
  const next = { ...plane.config, ...config };
  if (config.dataset && config.dataset !== 'drawn' && !('points' in config)) next.points = [];
  const results = await validate(next.lanes.map((o) => laneConfig(next, o)));
  // An empty drawn data set is allowed: its lanes wait for points (drawn on the plane).
  const seen = new Set(next.dataset === 'drawn' && next.points.length === 0 ? ['points'] : []);
  for (const r of results) {
    for (const e of r.errors ?? []) {
      if (!seen.has(e.field)) errors.push(e);
      seen.add(e.field);
    }
  }
  return errors.length ? { config: null, options: null, errors } : { config, options, errors };
}
