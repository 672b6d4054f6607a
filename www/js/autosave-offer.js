// The resume offer's words, DOM-free: what a saved run holds ("Resume the run from step S of lanes …
// (saved N min ago)") and how it differs from the configuration the page's link asks for.
import { DATASETS } from './url.js';

/** "just now", "1 min ago", "3 h ago", "2 days ago". */
export function age(ms) {
  const min = Math.floor(Math.max(0, ms) / 60000);
  if (min < 1) return 'less than a minute ago';
  if (min < 90) return `${min} min ago`;
  const h = Math.round(min / 60);
  return h < 36 ? `${h} h ago` : `${Math.round(h / 24)} days ago`;
}

const list = (items) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
const laneName = (l) => [l.config?.objective ?? l.objective, l.config?.arch].filter(Boolean).join(', ');

/** "Resume the run from step 30 of lane 1 (lsgan, mlp) (saved 2 min ago)". */
export function describeRun(run, now) {
  const lanes = run.lanes ?? [];
  const steps = lanes.map((l) => l.step ?? 0);
  const same = steps.every((s) => s === steps[0]);
  const from = same ? `step ${steps[0] ?? 0}` : `steps ${list(steps.map(String))}`;
  const which = `${lanes.length === 1 ? 'lane' : 'lanes'} ${list(lanes.map((l, i) => `${i + 1} (${laneName(l)})`))}`;
  return `Resume the run from ${from} of ${which} (saved ${age(now - run.savedAt)})`;
}

/** The fields of a lane's config the offer compares (the image mode's; the 2-D mode passes its own). */
export const FIELDS = ['objective', 'arch', 'lr_g', 'lr_d', 'batch', 'latent', 'seed'];
const show = (v) => (v === undefined ? 'default' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * How the saved run differs from what the link asks for (`linkConfigs`: validated configs of the page's
 * lanes; `linkDataset`; `fields`: the config fields compared), or '' when it does not. Resume uses the
 * saved run; Start fresh the link.
 */
export function describeDifference(run, linkConfigs, linkDataset, fields = FIELDS) {
  const parts = [];
  if (run.dataset && run.dataset !== linkDataset) {
    parts.push(`the run was trained on ${DATASETS[run.dataset] ?? run.dataset}, the link asks for ${DATASETS[linkDataset] ?? linkDataset}`);
  }
  const saved = (run.lanes ?? []).map((l) => l.config ?? { objective: l.objective });
  if (saved.length !== linkConfigs.length) parts.push(`the run has ${saved.length} lane${saved.length === 1 ? '' : 's'}, the link ${linkConfigs.length}`);
  for (let i = 0; i < Math.min(saved.length, linkConfigs.length); i++) {
    const a = saved[i];
    const b = linkConfigs[i] ?? {};
    const keys = fields.filter((k) => a[k] !== undefined && b[k] !== undefined && a[k] !== b[k]);
    if (JSON.stringify(a.params ?? {}) !== JSON.stringify(b.params ?? {}) && a.objective === b.objective) keys.push('params');
    if (keys.length) parts.push(`lane ${i + 1}: ${keys.map((k) => `${k} ${show(a[k])} in the run, ${show(b[k])} in the link`).join('; ')}`);
  }
  if (parts.length === 0) return '';
  return `This link asks for another configuration (${parts.join('; ')}). Resume continues the saved run with its own settings; Start fresh keeps the link's.`;
}

/** "12.8 MB". */
export const megabytes = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
