// The model overview (issue 15, section 2), after GAN Lab's: an SVG of the selected lane, z → G → G(z)
// → D ← x, with the objective's extra parts (InfoGAN's codes and Q head, EBGAN's autoencoder energy and
// pull-away term, MEG's statistics network with a shuffled z', WGAN-GP's interpolate and penalty,
// WGAN's clipping), a live fake thumbnail and live values. A step of one phase highlights the parts
// whose weights it changes (`updating`) and greys the frozen network (`frozen`); in slow motion the
// flow along the arrows animates with each step. Focusing, hovering or tapping a part explains it in
// one sentence (the caption below the diagram). Rendering only; the state comes from the store.

const NS = 'http://www.w3.org/2000/svg';

/** The parts every objective has: [id, net, x, y, w, h, label, sentence]. `net`: which phase updates it. */
const BASE = [
  ['z', 'input', 20, 150, 56, 40, 'z', 'Noise: a fresh vector from a standard normal distribution for every generated image; G turns it into a digit.'],
  ['G', 'g', 110, 145, 80, 50, 'G', 'The generator network. Only a G step changes its weights, by following the gradient of G\'s loss back through D.'],
  ['fake', 'data', 222, 140, 60, 60, 'G(z)', 'A generated image (here the first fixed-z sample): what G currently makes.'],
  ['real', 'data', 222, 20, 60, 60, 'x', 'A real training digit (a different one every few steps): D is shown a batch of them beside a batch of fakes.'],
  ['D', 'd', 340, 85, 90, 60, 'D', 'The discriminator (critic, energy). Only a D step changes its weights; during a G step it is frozen and only passes the gradient on.'],
  ['lossD', 'loss-d', 500, 40, 110, 44, 'L_D', 'D\'s loss: D changes its weights to lower it during a D step.'],
  ['lossG', 'loss-g', 500, 150, 110, 44, 'L_G', 'G\'s loss: G changes its weights to lower it during a G step.'],
];

/** Edges: [from, to, which step's path it lies on: 'd', 'g' or 'dg']. */
const BASE_EDGES = [['z', 'G', 'g'], ['G', 'fake', 'g'], ['real', 'D', 'd'], ['fake', 'D', 'dg'], ['D', 'lossD', 'd'], ['D', 'lossG', 'g']];

/** Each objective's extra parts and edges, and what its D is called. */
const EXTRAS = {
  minimax: { d: 'D', parts: [], edges: [] },
  nonsaturating: { d: 'D', parts: [], edges: [] },
  lsgan: {
    d: 'D', edges: [['targets', 'lossD', 'd'], ['targets', 'lossG', 'g']],
    parts: [['targets', 'const', 520, 100, 70, 34, 'a, b, c', 'The regression targets: D pushes its output on fakes to a and on reals to b; G wants c on fakes.']],
  },
  wgan: {
    d: 'critic', edges: [['clip', 'D', 'd']],
    parts: [['clip', 'd', 345, 160, 80, 34, 'clip ±c', 'After every critic step each critic weight is clamped to [−c, c], a crude way to keep the critic 1-Lipschitz; clip fraction counts the weights at the bound.']],
  },
  'wgan-gp': {
    d: 'critic', edges: [['real', 'xhat', 'd'], ['fake', 'xhat', 'd'], ['xhat', 'penalty', 'd'], ['penalty', 'lossD', 'd']],
    parts: [
      ['xhat', 'data', 292, 200, 56, 36, 'x̂', 'A random point on the line between a real and a fake image, where the gradient penalty is measured.'],
      ['penalty', 'loss-d', 380, 200, 110, 36, '(‖∇D(x̂)‖−1)²', 'The gradient penalty: the critic\'s input gradient is pushed to norm 1, the optimal critic\'s, instead of clipping weights.'],
    ],
  },
  ebgan: {
    d: 'autoencoder D', edges: [['energy', 'lossD', 'd'], ['energy', 'lossG', 'g'], ['pullaway', 'lossG', 'g']],
    parts: [
      ['energy', 'data', 345, 160, 80, 34, 'energy', 'D reconstructs its input; the mean squared reconstruction error is the energy: low for real digits, pushed up to the margin m for fakes.'],
      ['pullaway', 'loss-g', 500, 205, 110, 34, 'pull-away', 'The pull-away term: the mean squared cosine between the codes of different fakes, added to G\'s loss to keep them apart.'],
    ],
  },
  infogan: {
    d: 'D', edges: [['c', 'G', 'g'], ['D', 'Q', 'g'], ['Q', 'mi', 'g'], ['mi', 'lossG', 'g']],
    parts: [
      ['c', 'input', 20, 205, 56, 36, 'c', 'The codes: one of 10 categories and two continuous values, fed to G beside z.'],
      ['Q', 'g', 345, 160, 80, 34, 'Q head', 'A head on D\'s body that guesses the codes back from the image; trained with G in the information step.'],
      ['mi', 'loss-g', 500, 205, 110, 34, 'MI bound', 'The mutual-information lower bound between the codes and the image: G and Q raise it, capped at log 10 for the category.'],
    ],
  },
  meg: {
    d: 'energy E', edges: [['zshuf', 'T', 'g'], ['fake', 'T', 'g'], ['z', 'T', 'g'], ['T', 'mi', 'g'], ['mi', 'lossG', 'g']],
    parts: [
      ['zshuf', 'input', 20, 205, 56, 36, 'z′', 'The batch\'s z shuffled: pairs (G(z), z′) that do not belong together, for the statistics network to tell apart.'],
      ['T', 'g', 222, 215, 80, 34, 'T', 'The statistics network: tells matched (G(z), z) pairs from shuffled ones, which estimates the mutual information (the generator\'s entropy); trained in the G step.'],
      ['mi', 'loss-g', 380, 215, 110, 34, 'MI estimate', 'The entropy stand-in: G is rewarded for keeping the mutual information between z and G(z) high, so it does not collapse.'],
    ],
  },
};

const make = (tag, attrs = {}, text) => {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
};

/** Which nets a phase updates. */
const UPDATES = { d: ['d', 'loss-d'], g: ['g', 'loss-g'], both: ['d', 'g', 'loss-d', 'loss-g'] };

/** The extra part ids of objective `id` (tests and docs). */
export const extraParts = (id) => (EXTRAS[id]?.parts ?? []).map((p) => p[0]);

/** Mounts the overview in `container`; returns {show(lane, objectiveId), values(lane), phase(phase, animate)}. */
export function mountOverview(container) {
  const svg = make('svg', { viewBox: '0 0 620 255', class: 'overview-svg', role: 'group', 'aria-label': 'model overview: what each part is and which step updates it' });
  const caption = Object.assign(document.createElement('p'), { className: 'overview-caption', id: 'overview-caption' });
  caption.setAttribute('aria-live', 'polite');
  caption.textContent = 'Focus, hover or tap a part of the diagram to read what it does.';
  container.replaceChildren(svg, caption);
  const thumb = document.createElement('canvas');
  thumb.width = thumb.height = 28;
  let objective = null;
  let parts = new Map();

  function draw(id) {
    objective = id;
    const extra = EXTRAS[id] ?? EXTRAS.nonsaturating;
    const all = [...BASE, ...extra.parts];
    parts = new Map(all.map((p) => [p[0], p]));
    const defs = make('defs');
    const marker = make('marker', { id: 'overview-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(make('path', { d: 'M0,0 L10,5 L0,10 z', class: 'overview-arrowhead' }));
    defs.append(marker);
    const edges = make('g', { class: 'overview-edges' });
    for (const [from, to, path] of [...BASE_EDGES, ...extra.edges]) {
      const a = parts.get(from);
      const b = parts.get(to);
      if (!a || !b) continue;
      const [x1, y1] = [a[2] + a[4], a[3] + a[5] / 2];
      const [x2, y2] = [b[2], b[3] + b[5] / 2];
      const [sx, ex] = x1 <= x2 ? [x1, x2] : [a[2] + a[4] / 2, b[2] + b[4] / 2];
      const [sy, ey] = x1 <= x2 ? [y1, y2] : [a[3], b[3] + b[5]];
      const line = make('path', { d: `M${sx},${sy} C${(sx + ex) / 2},${sy} ${(sx + ex) / 2},${ey} ${ex},${ey}`, class: 'overview-edge', 'marker-end': 'url(#overview-arrow)' });
      line.dataset.path = path;
      line.dataset.from = from;
      line.dataset.to = to;
      edges.append(line);
    }
    const nodes = make('g', { class: 'overview-parts' });
    for (const [pid, net, x, y, w, h, label, sentence] of all) {
      const name = pid === 'D' ? extra.d : label;
      const g = make('g', { class: `overview-part net-${net}`, tabindex: 0, role: 'img', 'aria-label': `${name}: ${sentence}` });
      g.dataset.part = pid;
      g.dataset.net = net;
      g.append(make('title', {}, sentence));
      g.append(make('rect', { x, y, width: w, height: h, rx: net === 'input' ? h / 2 : 6, class: 'overview-box' }));
      if (pid === 'fake' || pid === 'real') {
        const image = make('image', { x: x + 4, y: y + 4, width: w - 8, height: h - 8, class: 'overview-thumb', preserveAspectRatio: 'none' });
        image.dataset.thumb = pid;
        g.append(image, make('text', { x: x + w / 2, y: y + h + 14, class: 'overview-label' }, name));
      } else {
        g.append(make('text', { x: x + w / 2, y: y + h / 2 + 5, class: 'overview-label' }, name));
      }
      if (pid === 'lossD' || pid === 'lossG' || pid === 'D') {
        const value = make('text', { x: x + w / 2, y: y + h + 14, class: 'overview-value' }, '');
        value.dataset.value = pid;
        g.append(value);
      }
      const explain = () => { caption.textContent = `${name}: ${sentence}`; };
      g.addEventListener('focus', explain);
      g.addEventListener('pointerenter', explain);
      g.addEventListener('click', explain);
      nodes.append(g);
    }
    svg.replaceChildren(defs, edges, nodes);
    svg.dataset.objective = id;
  }

  const setValue = (pid, text) => {
    const node = svg.querySelector(`[data-value="${pid}"]`);
    if (node) node.textContent = text;
  };
  const fmt = (v) => (Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3)) : '—');
  /** Puts one 28 × 28 image (0 = background, 255 = ink) into the thumbnail `pid`. */
  const drawThumb = (pid, pixels) => {
    const image = svg.querySelector(`[data-thumb="${pid}"]`);
    if (!image || !pixels || pixels.length < 784) return;
    const ctx = thumb.getContext('2d');
    const data = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) data.data.set([pixels[i], pixels[i], pixels[i], 255], i * 4);
    ctx.putImageData(data, 0, 0);
    image.setAttribute('href', thumb.toDataURL());
  };
  const mean = (a) => (a && a.length ? Array.from(a).reduce((s, v) => s + v, 0) / a.length : null);

  return {
    show(lane, id, real = null) {
      if (id !== objective) draw(id);
      this.values(lane, real);
    },
    /** Live values: the losses, D's mean scores on real and fake, the first fixed-z sample and `real` (784 bytes). */
    values(lane, real = null) {
      if (!lane) return;
      setValue('lossD', fmt(lane.dLoss));
      setValue('lossG', fmt(lane.gLoss));
      const q = lane.quality;
      setValue('D', q?.dReal ? `real ${fmt(mean(q.dReal))} · fake ${fmt(mean(q.dFake))}` : '');
      drawThumb('fake', lane.samples?.pixels);
      drawThumb('real', real);
    },
    /** Highlights what a `phase` step ('d', 'g', 'both'; null: none) updates; `animate` runs the flow once. */
    phase(phase, animate = false) {
      const on = UPDATES[phase] ?? [];
      svg.dataset.phase = phase ?? '';
      for (const g of svg.querySelectorAll('.overview-part')) {
        const net = g.dataset.net;
        const trainable = ['d', 'g', 'loss-d', 'loss-g'].includes(net);
        g.classList.toggle('updating', on.includes(net));
        g.classList.toggle('frozen', Boolean(phase) && trainable && !on.includes(net));
      }
      for (const e of svg.querySelectorAll('.overview-edge')) {
        const active = phase === 'both' || (phase && e.dataset.path.includes(phase));
        e.classList.toggle('active', Boolean(active));
        e.classList.remove('flow');
        if (animate && active) {
          e.getBoundingClientRect(); // restart the CSS animation
          e.classList.add('flow');
        }
      }
    },
  };
}
