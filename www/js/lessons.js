// Guided lessons (issue 15, section 3): `lesson=<id>` opens one, `lesson=` alone the index. Each lesson
// is a few steps; a step may set the lanes and their parameters (`configure`, as the page API's
// configure), the speed, the hidden controls (`hide=` names) and the diagnostic chart shown
// (`watch`), and has an observation `check(h)` that the page evaluates on every update and ticks once
// it holds. `h` reads the store's state (see `checkHelpers`); step counts go through `h.steps(n)` so
// the test hook can shorten them. A lane entry may name a prepared `checkpoint` of the site (prepared.js,
// `make checkpoints`): the lane then starts from it, and step counts run from its step (`prepared`
// says so in the lesson's header). DOM-free (node unit tests). The seed passages each lesson draws on
// are named in `seed` and in docs/lessons.md.

/** Mean of a diagnostic (or 'd_loss' / 'g_loss') over a lane's last `n` recorded steps; null if none. */
export function recentMean(lane, name, n = 20) {
  if (!lane) return null;
  const values = [];
  const stats = lane.curves.stats;
  for (let i = stats.length - 1; i >= 0 && values.length < n; i--) {
    const s = stats[i];
    const v = name === 'd_loss' || name === 'g_loss' ? s[name] : s.diagnostics?.[name];
    if (Number.isFinite(v)) values.push(v);
  }
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/** Generator steps a lane has made in this run: since its prepared checkpoint, if it started from one. */
const made = (l) => (l ? l.step - (l.prepared?.step ?? 0) : 0);

/** The helpers a check receives: lanes by index, recent means, step counts scaled by `scale`. */
export function checkHelpers(state, scale = 1) {
  const lane = (i) => state.lanes[i] ?? null;
  return {
    lane,
    steps: (n) => Math.max(1, Math.round(n * scale)),
    /** Steps lane `i` has made (after its prepared checkpoint's step, if any). */
    step: (i) => made(lane(i)),
    /** Every lane has made at least `n` (scaled) generator steps (after their prepared checkpoints). */
    reached: (n) => state.lanes.length > 0 && state.lanes.every((l) => made(l) >= Math.max(1, Math.round(n * scale))),
    mean: (i, name, n) => recentMean(lane(i), name, n),
    quality: (i) => lane(i)?.quality ?? null,
  };
}

/** `a < b` when both are known numbers. */
const below = (a, b) => a !== null && b !== null && a < b;

const MNIST_CPU = { backend: 'cpu' };
/** What a lesson that starts from a prepared checkpoint says about it. */
const PREPARED = 'a checkpoint prepared at step 2000 (weights rounded to half precision, optimizer restarted)';

/** The lessons, in the order of the index. Texts are our own words, after the seed documents. */
export const LESSONS = [
  {
    id: 'saturation',
    title: 'Minimax saturates, the non-saturating loss does not',
    summary: 'Two lanes from the same seed: G\'s gradient vanishes under the minimax loss while D wins.',
    seed: 'seed 001, "Cost function"; docs/objectives.md §1–2',
    page: MNIST_CPU,
    steps: [
      {
        text: 'Lane 1 trains the non-saturating GAN, lane 2 the original minimax form, from the same seed and with the same networks. Press Play. The diagnostic chart now shows g grad norm: the size of the gradient that reaches G.',
        configure: { lanes: ['nonsaturating', 'minimax'] }, watch: 'g_grad_norm', speed: 0,
        check: { text: 'both lanes have made 100 steps', test: (h) => h.reached(100) },
      },
      {
        text: 'Early on D learns fast and D(G(z)) falls towards 0. The minimax generator minimises log(1 − D(G(z))), whose slope there is almost flat, so its gradient collapses; the non-saturating generator maximises log D(G(z)) instead and keeps a strong gradient.',
        watch: 'g_grad_norm',
        check: { text: 'the minimax lane\'s g grad norm falls below a tenth of the non-saturating lane\'s', test: (h) => h.step(1) >= h.steps(50) && below(h.mean(1, 'g_grad_norm'), 0.1 * (h.mean(0, 'g_grad_norm') ?? 0)) },
      },
      {
        text: 'Now look at D\'s score on fakes: d fake is D(G(z)), the probability D gives generated digits. The minimax lane\'s stays near 0, so G learns little; compare the two lanes\' sample grids.',
        watch: 'd_fake',
        check: { text: 'the minimax lane\'s D(G(z)) stays below 0.1', test: (h) => h.step(1) >= h.steps(200) && below(h.mean(1, 'd_fake'), 0.1) },
      },
    ],
  },
  {
    id: 'mode-collapse',
    title: 'Mode collapse, and what the training tricks change',
    summary: 'Watch the class histogram; then turn on label smoothing, instance noise and more D steps.',
    seed: 'seed 001, "DCGAN" (the list of tricks: soft and noisy labels, decaying input noise); docs/objectives.md §2',
    page: MNIST_CPU,
    steps: [
      {
        text: 'One non-saturating lane. The lane card\'s class histogram shows which digits the classifier sees in fresh samples; "classes covered" counts those above 2.5%. A generator that collapses onto a few modes covers few classes.',
        configure: { lanes: ['nonsaturating'] }, speed: 0, hide: ['interpolation', 'codes', 'timelapse'],
        check: { text: 'the first quality measurement arrives', test: (h) => h.quality(0) !== null },
      },
      {
        text: 'Add one-sided label smoothing: D aims at 0.9 instead of 1 for real digits, so it cannot become over-confident. Lane 2 is the same run with it.',
        configure: { lanes: ['nonsaturating', { objective: 'nonsaturating', params: { label_smoothing: 1 } }] },
        check: { text: 'both lanes have a quality measurement', test: (h) => h.quality(0) !== null && h.quality(1) !== null },
      },
      {
        text: 'Instance noise blurs real and fake digits alike early on (the noise fades over the annealing steps), so their distributions overlap and D\'s gradient stays informative. Watch instance noise fall.',
        configure: { lanes: ['nonsaturating', { objective: 'nonsaturating', params: { instance_noise: 1 } }] }, watch: 'instance_noise',
        check: { text: 'lane 2 has been measured with instance noise on', test: (h) => h.quality(1) !== null },
      },
      {
        text: 'k is the number of D updates per G step. More D steps make D closer to optimal for the current G; compare k = 1 with k = 3 in the class histograms and FID.',
        configure: { lanes: ['nonsaturating', { objective: 'nonsaturating', params: { k: 3 } }] },
        check: { text: 'both lanes have made 300 steps', test: (h) => h.reached(300) },
      },
    ],
  },
  {
    id: 'wgan',
    title: 'WGAN: a critic whose estimate tracks quality',
    summary: 'The Wasserstein estimate falls as samples improve; clipping limits the critic; WGAN-GP penalises gradients instead.',
    seed: 'seed 001, "WGAN & WGAN-GP"; docs/objectives.md §5–6',
    page: MNIST_CPU,
    steps: [
      {
        text: 'Lane 1 trains WGAN with weight clipping, lane 2 WGAN-GP. The critic is not a classifier: its score difference between real and fake digits estimates the Wasserstein distance.',
        configure: { lanes: ['wgan', 'wgan-gp'] }, watch: 'w_estimate', speed: 0,
        check: { text: 'both lanes have made 100 steps', test: (h) => h.reached(100) },
      },
      {
        text: 'Watch w estimate fall while the FID falls: unlike the losses of the classic GAN, this number is a training-progress indicator.',
        watch: 'w_estimate',
        check: { text: 'lane 1 has a quality measurement', test: (h) => h.quality(0) !== null },
      },
      {
        text: 'clip fraction is the share of critic weights held at ±c. Here a sixth to a third of them sit at the bound: the clipping, not only the data, decides what the critic can be. Near 1 it would be a too-simple critic; lowering c pushes it there.',
        watch: 'clip_fraction',
        check: { text: 'after 200 steps, over a tenth of lane 1\'s critic weights are clipped', test: (h) => h.step(0) >= h.steps(200) && below(0.1, h.mean(0, 'clip_fraction')) },
      },
      {
        text: 'WGAN-GP drops clipping and penalises the critic\'s gradient norm on points between real and fake digits towards 1, the norm of the optimal critic. Watch grad norm settle near 1.',
        watch: 'grad_norm',
        check: { text: 'lane 2\'s gradient norm is between 0.5 and 1.5', test: (h) => h.step(1) >= h.steps(100) && below(0.5, h.mean(1, 'grad_norm')) && below(h.mean(1, 'grad_norm'), 1.5) },
      },
    ],
  },
  {
    id: 'lsgan',
    title: 'LSGAN: the 0-1 and χ² codings',
    summary: 'D regresses to targets a (fake) and b (real); two codings of the same idea.',
    seed: 'seed 003 (the targets a, b, c and the Pearson χ² derivation); docs/objectives.md §4',
    page: MNIST_CPU,
    steps: [
      {
        text: 'LSGAN replaces the sigmoid cross-entropy with squared errors: D is pushed to output b on real digits and a on fakes, and G wants D to output c on fakes. Lane 1 uses the 0-1 coding (a = 0, b = 1, c = 1), lane 2 the χ² coding (a = −1, b = 1, c = 0).',
        configure: { lanes: [{ objective: 'lsgan', params: { a: 0, b: 1, c: 1 } }, { objective: 'lsgan', params: { a: -1, b: 1, c: 0 } }] }, watch: 'd_real', speed: 0,
        check: { text: 'both lanes have made 100 steps', test: (h) => h.reached(100) },
      },
      {
        text: 'd real is D\'s mean output on real digits: it approaches b = 1 in both lanes.',
        watch: 'd_real',
        check: { text: 'both lanes\' D(x) is above 0.5', test: (h) => below(0.5, h.mean(0, 'd_real')) && below(0.5, h.mean(1, 'd_real')) },
      },
      {
        text: 'd fake is D\'s mean output on fakes: it sits between a and c, so it is negative only in the χ² lane. With b − c = 1 and b − a = 2, G minimises the Pearson χ² divergence.',
        watch: 'd_fake',
        check: { text: 'the χ² lane\'s D(G(z)) is below the 0-1 lane\'s', test: (h) => h.step(1) >= h.steps(100) && below(h.mean(1, 'd_fake'), h.mean(0, 'd_fake')) },
      },
    ],
  },
  {
    id: 'ebgan',
    title: 'EBGAN: the margin and the pull-away term',
    summary: 'D is an autoencoder whose reconstruction error is an energy: low for real digits, pushed up to a margin for fakes.',
    seed: 'seed 000 (energy view, autoencoder D, the margin, the pull-away term); seed 002 §2; docs/objectives.md §7',
    page: MNIST_CPU,
    steps: [
      {
        text: 'D reconstructs its input; the reconstruction error is the energy. D lowers the energy of real digits and raises that of fakes up to the margin m, beyond which fakes cost it nothing.',
        configure: { lanes: ['ebgan'] }, watch: 'energy_real', speed: 0,
        check: { text: 'the lane has made 100 steps', test: (h) => h.reached(100) },
      },
      {
        text: 'Compare energy real with energy fake: real energy falls well below the margin (m = 1 here) while the fakes\' energy is held near it.',
        watch: 'energy_fake',
        check: { text: 'real energy is below the margin', test: (h) => below(h.mean(0, 'energy_real'), 1) },
      },
      {
        text: 'Lane 2 has no pull-away term (λ_PT = 0). The pull-away term is the mean squared cosine between the codes of different fakes in a batch: low when they point in different directions, which counters mode collapse.',
        configure: { lanes: ['ebgan', { objective: 'ebgan', params: { lambda_pt: 0 } }] }, watch: 'pull_away',
        check: { text: 'both lanes have made 200 steps', test: (h) => h.reached(200) },
      },
    ],
  },
  {
    id: 'infogan',
    title: 'InfoGAN: a code that picks the digit',
    summary: 'A 10-way categorical code, learned without labels, comes to control the digit class.',
    seed: 'seed 004 (codes beside z, the Q head, the mutual-information lower bound); docs/objectives.md §8',
    page: MNIST_CPU,
    prepared: PREPARED,
    steps: [
      {
        text: 'InfoGAN feeds G a categorical code c (one of 10) and two continuous codes besides z, and a head Q on D\'s body guesses the codes back from the image. Rewarding a good guess maximises a lower bound on the mutual information between c and the image. The lane starts at step 2000, from a checkpoint trained ahead on a CPU; press Play.',
        configure: { lanes: [{ objective: 'infogan', checkpoint: 'checkpoints/infogan-mlp.ganlane' }] }, watch: 'mi_lower_bound', speed: 0,
        check: { text: 'the lane has made 100 steps', test: (h) => h.reached(100) },
      },
      {
        text: 'The bound cannot exceed log 10 ≈ 2.30 (a uniform 10-way code). Watch mi lower bound rise towards it.',
        watch: 'mi_lower_bound',
        check: { text: 'the bound passes half of log 10', test: (h) => below(Math.log(10) / 2, h.mean(0, 'mi_lower_bound')) },
      },
      {
        text: 'Open the code explorer below the charts: each row is one value of c over the same z. When each row shows one digit, the code has taken over the class — no label was ever given.',
        check: { text: 'the lane has made 1000 more steps', test: (h) => h.reached(1000) },
      },
    ],
  },
  {
    id: 'dcgan',
    title: 'A convolutional GAN from step 2000',
    summary: 'A DCGAN, trained ahead to step 2000, against a fully connected GAN that starts from nothing.',
    seed: 'seed 001, "DCGAN" (strided convolutions, batch normalisation, no pooling or dense hidden layers); docs/objectives.md §2',
    page: MNIST_CPU,
    prepared: PREPARED,
    steps: [
      {
        text: 'Lane 1 is a DCGAN: G draws the digit with transposed convolutions, D reads it with strided convolutions, and both use batch normalisation. It is slow to train without a GPU, so it starts at step 2000 from a checkpoint that ships with the site. Press Play.',
        configure: { lanes: [{ objective: 'nonsaturating', arch: 'dcgan', checkpoint: 'checkpoints/nonsaturating-dcgan.ganlane' }] }, watch: 'd_fake', speed: 0,
        check: { text: 'the first quality measurement arrives', test: (h) => h.quality(0) !== null },
      },
      {
        text: 'At this stage neither network wins outright: D(G(z)), D\'s probability that a fake is real, stays well away from 0, so G keeps learning from D\'s gradient.',
        watch: 'd_fake',
        check: { text: 'after 50 more steps, D(G(z)) is above 0.1', test: (h) => h.step(0) >= h.steps(50) && below(0.1, h.mean(0, 'd_fake')) },
      },
      {
        text: 'Lane 2 is the fully connected GAN with the same objective and seed, starting from step 0. Compare the grids and the FID (lower is closer to real digits) once lane 2 has trained a while: the convolutional lane had a head start, and its filters, shared across the image, draw strokes rather than single pixels.',
        configure: { lanes: [{ objective: 'nonsaturating', arch: 'dcgan', checkpoint: 'checkpoints/nonsaturating-dcgan.ganlane' }, 'nonsaturating'] },
        check: { text: 'lane 2 is measured after 200 steps, and lane 1\'s FID is still below its', test: (h) => (h.quality(1)?.step ?? 0) >= h.steps(200) && below(h.quality(0)?.fid ?? null, h.quality(1).fid) },
      },
    ],
  },
  {
    id: 'meg',
    title: 'MEG: an energy model whose generator keeps its entropy',
    summary: 'An energy network scores digits; the generator samples low energy while a statistics network keeps it diverse.',
    seed: 'seed 002 (§2.1 the likelihood gradient, §2.2 KL(p_G‖p_θ) = −H + E[U] + log Z, §2.3 entropy as mutual information); docs/objectives.md §9',
    page: MNIST_CPU,
    steps: [
      {
        text: 'MEG trains an energy function: low energy for real digits, high for samples. Its generator provides those samples, and to approximate the model it must minimise the energy of its output while keeping its entropy high.',
        configure: { lanes: ['meg'] }, watch: 'energy_real', speed: 0,
        check: { text: 'the lane has made 100 steps', test: (h) => h.reached(100) },
      },
      {
        text: 'Entropy cannot be measured directly, so a statistics network T estimates the mutual information between z and G(z) by telling matched pairs from pairs with a shuffled z\'. mi estimate is that estimate (the Jensen–Shannon form): it starts near −log 4 ≈ −1.39, where T cannot tell the pairs apart, and the generator is rewarded for raising it towards 0.',
        watch: 'mi_estimate',
        check: { text: 'the MI estimate rises above −1', test: (h) => below(-1, h.mean(0, 'mi_estimate')) },
      },
      {
        text: 'Compare with a non-saturating lane from the same seed: both make digits, but only MEG has an energy you could use to score any image.',
        configure: { lanes: ['meg', 'nonsaturating'] },
        check: { text: 'both lanes have a quality measurement', test: (h) => h.quality(0) !== null && h.quality(1) !== null },
      },
    ],
  },
];

export const lessonById = (id) => LESSONS.find((l) => l.id === id) ?? null;
