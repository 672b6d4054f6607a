// The objective explainer panel and the glossary toggletips (issue 15, sections 1 and 4). The text is
// data from the Rust side (`explain::explainers_json()`: {objectives: [...], glossary: [...]}); this
// module only builds DOM. Formulas are rendered by KaTeX as MathML (browsers render MathML Core
// natively), which needs neither KaTeX's CSS nor its fonts and sets no inline style attributes, so it
// works under the page's Content-Security-Policy (`style-src 'self'`). Styles: www/css/explainer.css.
import katex from '../vendor/katex/katex.mjs';

/** Headings of the panel's sections, in order; `data-section` carries the key. */
export const SECTIONS = [
  ['formulas', 'Losses'],
  ['symbols', 'Symbols'],
  ['intuition', 'Intuition'],
  ['watch', 'What to watch'],
  ['failure', 'Known failure mode'],
  ['reference', 'Paper'],
];

const ROLE_NAMES = { d: "D's loss", g: "G's loss", extra: 'term' };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Renders `tex` into `target` as MathML. A formula KaTeX cannot parse is shown as its source, marked
 * `explainer-math-error` (with the parser's message as its title), instead of breaking the panel.
 */
export function renderMath(target, tex, { display = false } = {}) {
  try {
    katex.render(tex, target, { output: 'mathml', displayMode: display, throwOnError: true, strict: 'ignore' });
  } catch (err) {
    target.replaceChildren(el('code', 'explainer-math-error', tex));
    target.firstChild.title = String(err?.message ?? err);
  }
  return target;
}

function section(key, title, level) {
  const s = el('section', `explainer-section explainer-${key}`);
  s.dataset.section = key;
  s.append(el(`h${level}`, 'explainer-heading', title));
  return s;
}

let panels = 0;

/**
 * Builds the explainer panel of one objective (an entry of `objectives` in the JSON) and puts it in
 * `container`, replacing what was there. `onWatch(diagnosticName)` is called by each "what to watch"
 * button (e.g. to show or highlight that diagnostic's chart); without it the names are plain text.
 * `headingLevel` is the panel title's heading level (sections use the next one). Returns the panel.
 */
export function renderExplainer(container, explainer, { onWatch = null, headingLevel = 3 } = {}) {
  const level = Math.min(Math.max(headingLevel, 1), 5);
  const id = `explainer-${++panels}`;
  const panel = el('section', 'explainer');
  panel.dataset.objective = explainer.id;
  panel.setAttribute('aria-labelledby', `${id}-title`);
  const title = el(`h${level}`, 'explainer-title', explainer.title);
  title.id = `${id}-title`;
  panel.append(title);
  const [formulas, symbols, intuition, watch, failure, reference] = SECTIONS.map(([k, t]) => section(k, t, level + 1));

  const list = el('ul', 'explainer-formula-list');
  for (const f of explainer.formulas) {
    const item = el('li', `explainer-formula explainer-formula-${f.role}`);
    item.dataset.role = f.role;
    const label = el('span', 'explainer-formula-label', f.label);
    label.title = ROLE_NAMES[f.role] ?? '';
    item.append(label, renderMath(el('div', 'explainer-math'), f.tex, { display: true }));
    list.append(item);
  }
  formulas.append(list);

  const dl = el('dl', 'explainer-symbol-list');
  for (const s of explainer.symbols) {
    dl.append(renderMath(el('dt', 'explainer-symbol'), s.tex), el('dd', 'explainer-symbol-meaning', s.meaning));
  }
  symbols.append(dl);

  intuition.append(el('p', 'explainer-text', explainer.intuition.join(' ')));

  const watches = el('ul', 'explainer-watch-list');
  for (const w of explainer.watch) {
    const item = el('li', 'explainer-watch-item');
    const name = el('code', 'explainer-diagnostic', w.diagnostic);
    if (onWatch) {
      const button = el('button', 'explainer-watch-button');
      button.type = 'button';
      button.dataset.diagnostic = w.diagnostic;
      button.setAttribute('aria-label', `Show the ${w.diagnostic} chart`);
      button.append(name);
      button.addEventListener('click', () => onWatch(w.diagnostic));
      item.append(button);
    } else {
      item.append(name);
    }
    item.append(' ', el('span', 'explainer-watch-text', w.look_for));
    watches.append(item);
  }
  watch.append(watches);

  failure.append(el('p', 'explainer-text', explainer.failure_mode));

  const refs = el('ul', 'explainer-reference-list');
  for (const r of explainer.references) {
    const item = el('li', 'explainer-reference-item');
    const link = el('a', 'explainer-arxiv', `arXiv:${r.arxiv}`);
    link.href = `https://arxiv.org/abs/${encodeURIComponent(r.arxiv)}`;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    item.append(`${r.authors} (${r.year}). `, el('cite', 'explainer-paper', r.title), '. ', link);
    refs.append(item);
  }
  reference.append(refs);

  panel.append(formulas, symbols, intuition, watch, failure, reference);
  container.replaceChildren(panel);
  return panel;
}

/** `glossary` as a Map term → {label, text}: the JSON's array of {term, label, text}, or an object. */
function glossaryMap(glossary) {
  if (glossary instanceof Map) return glossary;
  const entries = Array.isArray(glossary)
    ? glossary.map((g) => [g.term, g])
    : Object.entries(glossary ?? {}).map(([term, g]) => [term, typeof g === 'string' ? { term, label: term, text: g } : g]);
  return new Map(entries);
}

/** Elements that cannot hold the toggle: it goes after them instead of inside. */
const OUTSIDE = new Set(['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'IMG', 'CANVAS', 'SVG', 'math', 'svg']);

const open = new Set();
const wired = new WeakSet();

/**
 * Puts a shown popover under its button (above it near the bottom of the window), kept inside the
 * window. The popover is `position: fixed`, so it never widens the page (a phone would zoom out),
 * and is placed through CSSOM, which the page's CSP allows (it forbids style attributes only).
 */
function place(wrap) {
  const pop = wrap.querySelector('.glossary-popover');
  const root = wrap.ownerDocument.documentElement;
  const button = wrap.querySelector('.glossary-toggle').getBoundingClientRect();
  const box = pop.getBoundingClientRect();
  if (box.width === 0) return;
  const margin = 8;
  const left = Math.max(margin, Math.min(button.left, root.clientWidth - margin - box.width));
  const below = button.bottom + 4;
  const top = below + box.height > root.clientHeight - margin ? Math.max(margin, button.top - 4 - box.height) : below;
  pop.style.left = `${Math.round(left)}px`;
  pop.style.top = `${Math.round(top)}px`;
}

function setOpen(wrap, on) {
  const button = wrap.querySelector('.glossary-toggle');
  const pop = wrap.querySelector('.glossary-popover');
  wrap.classList.toggle('is-open', on);
  button.setAttribute('aria-expanded', String(on));
  if (on) {
    for (const other of open) if (other !== wrap) setOpen(other, false);
    open.add(wrap);
    place(wrap);
  } else {
    open.delete(wrap);
  }
}

function wireDocument(doc) {
  if (wired.has(doc)) return;
  wired.add(doc);
  doc.addEventListener('click', (e) => {
    for (const wrap of [...open]) if (!wrap.contains(e.target)) setOpen(wrap, false);
  });
  const replace = () => { for (const wrap of open) place(wrap); };
  doc.defaultView?.addEventListener('scroll', replace, { capture: true, passive: true });
  doc.defaultView?.addEventListener('resize', replace, { passive: true });
  doc.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || open.size === 0) return;
    for (const wrap of [...open]) {
      const hadFocus = wrap.contains(doc.activeElement);
      setOpen(wrap, false);
      if (hadFocus) wrap.querySelector('.glossary-toggle').focus();
    }
  });
}

let toggles = 0;

/**
 * Gives every element under `root` (and `root` itself) that has `data-term="<term>"` a one-line
 * explanation from `glossary` (the JSON's `glossary` array, or an object term → text or → {label, text}):
 * a small focusable (i) button after the term's text whose popover opens on tap, click, Enter or Space
 * (Escape or a click elsewhere closes it), on hover where the device can hover, and which screen
 * readers announce as the button's description. Elements already given one are skipped, so it can
 * be called again after the page re-renders; a term the glossary lacks gets `data-term-missing`.
 * Returns the buttons it added.
 */
export function attachGlossary(root, glossary) {
  const terms = glossaryMap(glossary);
  const doc = root.ownerDocument ?? root;
  wireDocument(doc);
  const targets = [...(root.matches?.('[data-term]') ? [root] : []), ...root.querySelectorAll('[data-term]')];
  const added = [];
  for (const target of targets) {
    if ('termAttached' in target.dataset || target.tagName === 'OPTION') continue; // the attribute's value is ''
    const entry = terms.get(target.dataset.term);
    if (!entry) {
      target.dataset.termMissing = '';
      continue;
    }
    target.dataset.termAttached = '';
    const n = ++toggles;
    const wrap = doc.createElement('span');
    wrap.className = 'glossary';
    const button = doc.createElement('button');
    button.type = 'button';
    button.className = 'glossary-toggle';
    const icon = doc.createElement('span');
    icon.className = 'glossary-icon';
    icon.setAttribute('aria-hidden', 'true');
    icon.textContent = 'i';
    button.append(icon);
    button.setAttribute('aria-label', `About ${entry.label ?? target.dataset.term}`);
    button.setAttribute('aria-expanded', 'false');
    const pop = doc.createElement('span');
    pop.className = 'glossary-popover';
    pop.id = `glossary-popover-${n}`;
    pop.setAttribute('role', 'tooltip');
    const label = doc.createElement('strong');
    label.className = 'glossary-label';
    label.textContent = entry.label ?? target.dataset.term;
    pop.append(label, ' ', entry.text);
    button.setAttribute('aria-controls', pop.id);
    button.setAttribute('aria-describedby', pop.id);
    button.addEventListener('click', (e) => {
      e.preventDefault(); // inside a <label>, do not also activate its control
      setOpen(wrap, !wrap.classList.contains('is-open'));
    });
    // Hover shows the popover by CSS (where the device can hover); place it once it is laid out.
    wrap.addEventListener('pointerenter', (e) => {
      if (e.pointerType === 'mouse') requestAnimationFrame(() => place(wrap));
    });
    wrap.append(button, pop);
    if (OUTSIDE.has(target.tagName)) target.after(wrap);
    else target.append(wrap);
    added.push(button);
  }
  return added;
}
