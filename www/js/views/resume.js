// View: the resume offer (saved runs with Resume / Delete, Start fresh, what differs from the link) and
// the autosave line (status, last save, storage used, "delete saved runs"). Renders from the store only.
import { describeRun, describeDifference, age, megabytes } from '../autosave-offer.js';

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};
const button = (text, onclick, { className = '', ...extra } = {}) => el('button', { type: 'button', textContent: text, onclick, className: `btn small ${className}`, ...extra });

const AUTOSAVE_CHANGES = ['autosaveStatus', 'savedRuns', 'autosaved', 'autosaveFailed', 'runDeleted', 'closeOffer', 'resumeRefused', 'resuming'];

/** What the view reads of the image mode's page; the 2-D mode passes its own (plane/autosave.js). */
export const IMAGE_PAGE = {
  linkConfigs: (state) => state.lanes.map((l) => l.config ?? l.raw ?? {}),
  linkDataset: (state) => state.page.dataset,
  ready: (state) => state.phase === 'ready',
  every: (state) => state.page.autosave,
  fields: undefined, // describeDifference's default: the image lanes' fields
  changes: ['ready', 'laneBuilt'],
};

/**
 * `root`: the offer's element (above the lanes, shown only while the offer is open), `lineRoot`: the
 * autosave line's (below them); `actions`: {resume(runId), remove(runId), removeAll(), startFresh()};
 * `page`: what the view reads of the mode's page (`IMAGE_PAGE`'s shape) and its changes to redraw on.
 */
export function mountResume(root, lineRoot, store, actions, page = IMAGE_PAGE) {
  const RENDER_ON = new Set([...AUTOSAVE_CHANGES, ...page.changes]);
  const render = (state) => {
    const a = state.autosave;
    root.replaceChildren(...(a.offer ? [offer(state)] : []));
    root.hidden = !a.offer;
    lineRoot.replaceChildren(statusLine(state));
    lineRoot.hidden = a.status === 'off' && a.runs.length === 0;
  };

  function offer(state) {
    const a = state.autosave;
    const now = Date.now();
    const box = el('div', { className: 'resume-offer' }, el('h2', { textContent: 'Saved runs' }));
    const linkConfigs = page.linkConfigs(state);
    for (const run of a.runs.filter((r) => r.runId !== a.runId)) {
      const item = el('div', { className: `resume-run resume-${run.status}` });
      item.dataset.run = run.runId;
      if (run.status === 'ok') {
        item.append(el('p', { className: 'resume-what', textContent: `${describeRun(run, now)}.` }));
        const diff = describeDifference(run, linkConfigs, page.linkDataset(state), page.fields);
        if (diff) item.append(el('p', { className: 'resume-diff', textContent: diff }));
      } else {
        const why = run.status === 'damaged'
          ? 'This saved run is damaged (checksum mismatch) and cannot be loaded; delete it.'
          : 'This saved run was written by another version of the playground and cannot be loaded here.';
        item.append(el('p', { className: 'resume-what', textContent: `${why} (saved ${age(now - run.savedAt)}, ${megabytes(run.bytes)})` }));
      }
      if (a.refused[run.runId]) item.append(el('p', { className: 'resume-error', role: 'alert', textContent: `Not resumed: ${a.refused[run.runId]}.` }));
      const busy = a.resuming !== null;
      const buttons = el('div', { className: 'resume-actions' });
      if (run.status === 'ok') buttons.append(button(a.resuming === run.runId ? 'Resuming…' : 'Resume', () => actions.resume(run.runId), { disabled: busy || !page.ready(state), className: 'resume-go' }));
      buttons.append(button('Delete', () => actions.remove(run.runId), { disabled: busy, className: 'resume-delete' }));
      item.append(buttons);
      box.append(item);
    }
    box.append(button('Start fresh', () => actions.startFresh(), { className: 'resume-fresh', disabled: a.resuming !== null }));
    return box;
  }

  function statusLine(state) {
    const a = state.autosave;
    const line = el('p', { className: 'autosave-line' });
    const words = {
      off: 'Autosave is off.',
      starting: 'Autosave starts when the playground is ready.',
      unavailable: `Autosave is unavailable: ${a.message}.`,
      on: a.last
        ? `Autosaved step ${[...new Set(a.last.steps)].join(', ')} ${age(Date.now() - a.last.at)} (every ${page.every(state)} s, ${megabytes(a.last.bytes)}).`
        : `Autosave every ${page.every(state)} s; nothing saved from this tab yet.`,
    };
    line.append(el('span', { className: 'autosave-status', textContent: words[a.status] ?? '' }));
    if (a.error) line.append(' ', el('span', { className: 'autosave-error', textContent: `Last save failed: ${a.error}.` }));
    if (a.runs.length) {
      line.append(' ', el('span', { className: 'autosave-usage', textContent: `Saved runs use ${megabytes(a.usage)}.` }), ' ');
      line.append(button('Delete saved runs', () => actions.removeAll(), { className: 'autosave-delete-all' }));
    }
    return line;
  }

  store.subscribe((state, change) => {
    if (RENDER_ON.has(change.type)) render(state);
  });
  render(store.state);
}
