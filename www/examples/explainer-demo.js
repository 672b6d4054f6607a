// Development page for js/explainer.js: loads the explainers JSON named by ?src= and renders one
// objective's panel (or every one with ?all=1) and the glossary. The browser test drives it.
import { attachGlossary, renderExplainer } from '../js/explainer.js';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);

async function main() {
  const src = params.get('src') ?? 'explainers.json';
  const response = await fetch(new URL(src, location.href));
  if (!response.ok) throw new Error(`${src}: HTTP ${response.status}`);
  const { objectives, glossary } = await response.json();

  const onWatch = (name) => {
    $('watched').value = name;
    document.documentElement.dataset.watched = name;
  };
  const select = $('objective');
  for (const o of objectives) select.append(new Option(o.title, o.id));
  const show = (id) => {
    const panels = $('panels');
    if (params.get('all') === '1') {
      panels.replaceChildren();
      for (const o of objectives) {
        const box = document.createElement('div');
        panels.append(box);
        renderExplainer(box, o, { onWatch, headingLevel: 2 });
      }
    } else {
      renderExplainer(panels, objectives.find((o) => o.id === id) ?? objectives[0], { onWatch, headingLevel: 2 });
    }
  };
  select.value = params.get('objective') ?? objectives[0].id;
  select.addEventListener('change', () => show(select.value));
  show(select.value);

  for (const g of glossary) {
    const item = document.createElement('li');
    const term = document.createElement('span');
    term.dataset.term = g.term;
    term.textContent = g.label;
    item.append(term);
    $('glossary').append(item);
  }
  attachGlossary(document.body, glossary);
  document.documentElement.dataset.ready = '1';
}

main().catch((err) => {
  const p = document.createElement('p');
  p.className = 'demo-error';
  p.textContent = `explainer demo: ${err.message}`;
  document.body.prepend(p);
  document.documentElement.dataset.ready = 'error';
  console.error(err);
});
