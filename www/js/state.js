// Page state and the URL: the query string holds the whole configuration so a link reproduces a lesson.

/** Query parameters that map onto the lane configuration (validated by the wasm module). */
export const CONFIG_KEYS = ['objective', 'arch', 'lr_g', 'lr_d', 'batch', 'latent', 'seed'];
/** Query parameters about the page rather than the lane. */
export const PAGE_KEYS = ['autostart', 'backend', 'dataset'];
/** Datasets the build ships (`data/<id>.bin` and `data/classifier[-<id>].bin`), the first is the default. */
export const DATASETS = { mnist: 'MNIST digits', fashion: 'Fashion-MNIST' };
/** Objective-specific parameters travel as `p.<key>=value`. */
const PARAM_PREFIX = 'p.';
const MAX_VALUE_LENGTH = 200;
const MAX_KEY_LENGTH = 40;
/** URL problems listed one by one; the rest are counted in one last notice. */
const MAX_URL_NOTICES = 8;

/** Quotes user text for a notice, shortened so a long value cannot flood the page. */
export function quote(text, max = 40) {
  const chars = Array.from(String(text));
  return JSON.stringify(chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join(''));
}

/**
 * Reads a query string into `{config, page, notices}`. Values are kept as strings: the wasm
 * validator checks ranges and names the field. Unknown, over-long and repeated keys become notices;
 * of a repeated key the first value is used.
 */
export function parseQuery(search) {
  const params = new URLSearchParams(search);
  const config = {};
  const page = { autostart: false, backend: 'auto', dataset: 'mnist' };
  const notices = [];
  const seen = new Set();
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
    if (CONFIG_KEYS.includes(key)) {
      config[key] = rawValue;
    } else if (key.startsWith(PARAM_PREFIX)) {
      // No prototype: a parameter named `__proto__` stays an ordinary key, which the validator refuses.
      config.params ??= Object.create(null);
      config.params[key.slice(PARAM_PREFIX.length)] = rawValue;
    } else if (key === 'autostart') {
      if (['1', 'true'].includes(rawValue)) page.autostart = true;
      else if (!['0', 'false', ''].includes(rawValue)) notices.push('URL parameter "autostart" must be 1 or 0; training waits for play.');
    } else if (key === 'backend') {
      if (['auto', 'webgpu', 'cpu'].includes(rawValue)) page.backend = rawValue;
      else notices.push('URL parameter "backend" must be auto, webgpu or cpu; using auto.');
    } else if (key === 'dataset') {
      if (Object.hasOwn(DATASETS, rawValue)) page.dataset = rawValue;
      else notices.push(`URL parameter "dataset" must be ${Object.keys(DATASETS).join(' or ')}; using mnist.`);
    } else {
      notices.push(`Unknown URL parameter ${quote(key)} ignored.`);
    }
  }
  if (notices.length > MAX_URL_NOTICES) {
    const rest = notices.splice(MAX_URL_NOTICES - 1);
    notices.push(`… and ${rest.length} more URL problems not shown.`);
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
  if (page.dataset && page.dataset !== 'mnist') params.set('dataset', page.dataset);
  return params.toString();
}

/** Replaces the address bar's query without adding a history entry. */
export function syncUrl(config, page) {
  const url = new URL(window.location.href);
  url.search = toQuery(config, page);
  try {
    window.history.replaceState(null, '', url);
  } catch {
    // A sandboxed iframe (opaque origin) may not rewrite its URL; the link then keeps the original query.
  }
}
