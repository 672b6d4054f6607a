// Page state and the URL: the query string holds the whole configuration so a link reproduces a lesson.

/** Query parameters that map onto the lane configuration (validated by the wasm module). */
export const CONFIG_KEYS = ['objective', 'arch', 'lr_g', 'lr_d', 'batch', 'latent', 'seed'];
/** Query parameters about the page rather than the lane. */
export const PAGE_KEYS = ['autostart', 'backend'];
/** Objective-specific parameters travel as `p.<key>=value`. */
const PARAM_PREFIX = 'p.';
const MAX_VALUE_LENGTH = 200;

/**
 * Reads a query string into `{config, page, notices}`. Values are kept as strings: the wasm
 * validator checks ranges and names the field; unknown keys and repeated keys become notices.
 */
export function parseQuery(search) {
  const params = new URLSearchParams(search);
  const config = {};
  const page = { autostart: false, backend: 'auto' };
  const notices = [];
  const seen = new Set();
  for (const [rawKey, rawValue] of params) {
    const key = rawKey.slice(0, 60);
    if (seen.has(key)) {
      notices.push(`URL parameter "${key}" is repeated; the first value is used.`);
      continue;
    }
    seen.add(key);
    if (rawValue.length > MAX_VALUE_LENGTH) {
      notices.push(`URL parameter "${key}" is ${rawValue.length} characters long (at most ${MAX_VALUE_LENGTH}); ignored.`);
      continue;
    }
    if (CONFIG_KEYS.includes(key)) {
      config[key] = rawValue;
    } else if (key.startsWith(PARAM_PREFIX)) {
      config.params ??= {};
      config.params[key.slice(PARAM_PREFIX.length)] = rawValue;
    } else if (key === 'autostart') {
      page.autostart = rawValue === '1' || rawValue === 'true';
    } else if (key === 'backend') {
      if (['auto', 'webgpu', 'cpu'].includes(rawValue)) page.backend = rawValue;
      else notices.push(`URL parameter "backend" must be auto, webgpu or cpu; using auto.`);
    } else {
      notices.push(`Unknown URL parameter "${key}" ignored.`);
    }
  }
  return { config, page, notices };
}

/** Writes a validated config (and page options) back into a query string. */
export function toQuery(config, page) {
  const params = new URLSearchParams();
  for (const key of CONFIG_KEYS) if (config[key] !== undefined) params.set(key, String(config[key]));
  for (const [key, value] of Object.entries(config.params ?? {})) params.set(PARAM_PREFIX + key, String(value));
  if (page.autostart) params.set('autostart', '1');
  if (page.backend && page.backend !== 'auto') params.set('backend', page.backend);
  return params.toString();
}

/** Replaces the address bar's query without adding a history entry. */
export function syncUrl(config, page) {
  const url = new URL(window.location.href);
  url.search = toQuery(config, page);
  window.history.replaceState(null, '', url);
}
