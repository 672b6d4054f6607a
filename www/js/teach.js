// The teaching panel (issue 15, sections 1, 2 and 4): for the selected lane, the model overview
// (overview.js) and its objective's explainer (explainer.js), whose "what to watch" buttons show that
// diagnostic's chart; and the glossary's toggletips on the page's terms. The text comes from the wasm
// module (`explainers()`, in the worker's ready reply as `teaching`); this view renders from the store.
import { renderExplainer, attachGlossary } from './explainer.js';
import { mountOverview } from './overview.js';
import { selectedLane, laneIndex } from './store.js';

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

/** Page elements (by selector) that show a glossary term, and the term. */
const PAGE_TERMS = [
  ['#d-loss-chart', 'd_loss'], ['#g-loss-chart', 'g_loss'], ['#fid-chart', 'fid'],
];

/** `showDiagnostic(name)`: the charts' selector. Returns nothing; everything follows the store. */
export function mountTeaching(store, { showDiagnostic }) {
  const heading = el('h2', { id: 'teach-heading', textContent: 'How it works' });
  const overview = el('div', { id: 'overview', className: 'overview' });
  const values = el('p', { className: 'overview-values' });
  const explainer = el('div', { id: 'explainer', className: 'explainer-host' });
  const section = el('section', { id: 'teach', className: 'panel teach' }, heading,
    el('div', { className: 'teach-grid' }, el('div', { className: 'overview-column' }, overview, values), explainer));
  section.setAttribute('aria-labelledby', heading.id);
  $('charts').after(section);
  const diagram = mountOverview(overview);

  // The terms under the diagram: static labels (the glossary button goes inside), live numbers beside.
  const figure = (term, label) => {
    const value = el('span', { className: 'overview-figure' });
    const name = el('span', { textContent: label });
    name.dataset.term = term;
    values.append(el('span', { className: 'overview-item' }, name, ' ', value));
    return value;
  };
  const dx = figure('d_x', 'D(x)');
  const dgz = figure('d_g_z', 'D(G(z))');
  const fixedZ = figure('fixed_z', 'fixed z');
  fixedZ.textContent = '(the fake shown)';

  for (const [selector, term] of PAGE_TERMS) {
    const h = document.querySelector(selector)?.previousElementSibling;
    if (h) h.dataset.term = term;
  }

  let shown = null; // objective id of the rendered explainer
  const glossary = () => store.state.teaching?.glossary ?? [];
  const attach = (root) => { if (glossary().length) attachGlossary(root, glossary()); };

  function showLane(state) {
    const lane = selectedLane(state);
    const id = lane?.config?.objective;
    if (!id) return;
    heading.textContent = `How it works: lane ${laneIndex(state, lane.id) + 1}`;
    diagram.show(lane, id);
    showValues(lane);
    const summary = $('objective-summary');
    if (summary && summary.dataset.objective !== id) {
      summary.dataset.objective = id;
      summary.replaceChildren(el('a', { href: '#teach', textContent: 'How this objective works: losses, intuition, what to watch ↓' }));
    }
    if (shown === id) return;
    const entry = state.teaching?.objectives.find((e) => e.id === id);
    if (!entry) return;
    shown = id;
    renderExplainer(explainer, entry, { onWatch: showDiagnostic, headingLevel: 3 });
    for (const button of explainer.querySelectorAll('.explainer-watch-button')) button.dataset.term = button.dataset.diagnostic;
    attach(explainer);
  }

  /** One of the real images the worker sent, a different one every 10 steps. */
  const realImage = (lane) => {
    const all = store.state.realImages;
    const n = all ? Math.floor(all.length / 784) : 0;
    if (!n) return null;
    const i = Math.floor((lane?.step ?? 0) / 10) % n;
    return all.subarray(i * 784, (i + 1) * 784);
  };

  function showValues(lane) {
    diagram.values(lane, realImage(lane));
    const q = lane?.quality;
    const mean = (a) => (a?.length ? Array.from(a).reduce((s, v) => s + v, 0) / a.length : null);
    const fmt = (v) => (v === null ? '—' : v.toFixed(3));
    dx.textContent = q?.dReal ? fmt(mean(q.dReal)) : '—';
    dgz.textContent = q?.dFake ? fmt(mean(q.dFake)) : '—';
  }

  let frame = 0;
  store.subscribe((state, change) => {
    if (change.type === 'ready') {
      attach(document.body);
    }
    if (['ready', 'select', 'laneBuilt', 'removeLane'].includes(change.type)) {
      showLane(state);
      attach($('controls'));
      attach($('lanes'));
    }
    if (change.type === 'pulse') diagram.phase(state.pulse.phase);
    if (change.type === 'running' && state.running) diagram.phase(null);
    if (['stats', 'samples', 'quality'].includes(change.type) && change.lane === state.selected) {
      if (change.type === 'stats' && state.running && state.page.speed > 0) {
        diagram.phase(selectedLane(state)?.curves.stats.at(-1)?.phase ?? null, true);
      }
      if (!frame) frame = requestAnimationFrame(() => { frame = 0; showValues(selectedLane(store.state)); });
    }
  });
}
