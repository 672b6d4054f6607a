// TF.js copy of our networks (src/model/{dcgan,mlp,discriminator}.rs) and non-saturating step (src/lane.rs), NHWC.
// Uses the global `tf` (the UMD bundles loaded by index.html). Layer for layer as bench/torch_gan.py:
//   DCGAN G: z → [n,1,1,L] → convT 7×7 (valid) → 7×7×64, BN, ReLU → convT 4×4 s2 p1 → 14×14×32, BN, ReLU
//            → convT 4×4 s2 p1 → 28×28×1, tanh;
//   DCGAN D: conv 4×4 s2 p1 → 14×14×32, LeakyReLU 0.2 → conv 4×4 s2 p1 → 7×7×64, BN, LeakyReLU → 3136 → 1;
//   MLP   G: L → 256 → 512 → 784 (LeakyReLU 0.2, tanh); D: 784 → 512 → 256 → 1 (LeakyReLU 0.2).
// BatchNorm eps 1e-5, momentum 0.1 on the running statistics (used by the sample grid, as burn's).
// Adam lr 2e-4, β = (0.5, 0.999), eps 1e-5 (burn-optim 0.21's AdamConfig default, which our lane keeps).

export const SIDE = 28;
export const WIDTH = 64;
export const BN_EPS = 1e-5;
export const LEAKY = 0.2;
export const ADAM = { lr: 2e-4, beta1: 0.5, beta2: 0.999, eps: 1e-5 };
/** Size of the pool of "real" images: random values in [-1, 1], as many as our training split. */
export const POOL = 9000;

const uniform = (shape, fanIn) => tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)));

/** BatchNorm over all axes but the last (channels): batch statistics in training, running ones otherwise. */
class BatchNorm {
  constructor(channels) {
    this.gamma = tf.variable(tf.ones([channels]));
    this.beta = tf.variable(tf.zeros([channels]));
    this.mean = tf.variable(tf.zeros([channels]), false);
    this.variance = tf.variable(tf.ones([channels]), false);
  }
  forward(x, training) {
    if (!training) return tf.batchNorm(x, this.mean, this.variance, this.beta, this.gamma, BN_EPS);
    const axes = x.shape.map((_, i) => i).slice(0, -1);
    const { mean, variance } = tf.moments(x, axes);
    this.mean.assign(tf.tidy(() => this.mean.mul(0.9).add(mean.mul(0.1))));
    this.variance.assign(tf.tidy(() => this.variance.mul(0.9).add(variance.mul(0.1))));
    return tf.batchNorm(x, mean, variance, this.beta, this.gamma, BN_EPS);
  }
  get trainables() { return [this.gamma, this.beta]; }
}

/** Transposed convolution: filter [k, k, out, in] (TF.js layout), explicit symmetric padding `pad`. */
class ConvT {
  constructor(cin, cout, k, stride, pad) {
    Object.assign(this, { cout, stride, pad, w: uniform([k, k, cout, cin], cin * k * k), b: uniform([cout], cin * k * k) });
    this.k = k;
  }
  forward(x) {
    const [n, h, w] = x.shape;
    // PyTorch/burn output side: (in − 1)·stride − 2·pad + k.
    const side = (s) => (s - 1) * this.stride - 2 * this.pad + this.k;
    const pad = this.pad === 0 ? 'valid' : this.pad;
    return tf.conv2dTranspose(x, this.w, [n, side(h), side(w), this.cout], this.stride, pad).add(this.b);
  }
  get trainables() { return [this.w, this.b]; }
}

/** Convolution: filter [k, k, in, out], stride 2, padding 1 (our `down`). */
class Conv {
  constructor(cin, cout) {
    Object.assign(this, { w: uniform([4, 4, cin, cout], cin * 16), b: uniform([cout], cin * 16) });
  }
  forward(x) { return tf.conv2d(x, this.w, 2, 1).add(this.b); }
  get trainables() { return [this.w, this.b]; }
}

class Dense {
  constructor(cin, cout) { Object.assign(this, { w: uniform([cin, cout], cin), b: uniform([cout], cin) }); }
  forward(x) { return tf.matMul(x, this.w).add(this.b); }
  get trainables() { return [this.w, this.b]; }
}

const leaky = (x) => tf.leakyRelu(x, LEAKY);

/** DCGAN generator; `trace` (optional array) receives the intermediate shapes. */
class DcganG {
  constructor(latent) {
    this.latent = latent;
    this.up0 = new ConvT(latent, WIDTH, 7, 1, 0);
    this.bn0 = new BatchNorm(WIDTH);
    this.up1 = new ConvT(WIDTH, WIDTH / 2, 4, 2, 1);
    this.bn1 = new BatchNorm(WIDTH / 2);
    this.up2 = new ConvT(WIDTH / 2, 1, 4, 2, 1);
  }
  forward(z, training, trace) {
    const t = (x) => (trace?.push(x.shape), x);
    let h = t(z.reshape([z.shape[0], 1, 1, this.latent]));
    h = tf.relu(this.bn0.forward(t(this.up0.forward(h)), training));
    h = tf.relu(this.bn1.forward(t(this.up1.forward(h)), training));
    return t(tf.tanh(this.up2.forward(h)));
  }
  get trainables() { return [this.up0, this.bn0, this.up1, this.bn1, this.up2].flatMap((m) => m.trainables); }
}

class DcganD {
  constructor() {
    this.down0 = new Conv(1, WIDTH / 2);
    this.down1 = new Conv(WIDTH / 2, WIDTH);
    this.bn1 = new BatchNorm(WIDTH);
    this.score = new Dense(WIDTH * 7 * 7, 1);
  }
  forward(x, training, trace) {
    const t = (y) => (trace?.push(y.shape), y);
    let h = t(leaky(this.down0.forward(x)));
    h = t(leaky(this.bn1.forward(this.down1.forward(h), training)));
    return t(this.score.forward(h.reshape([h.shape[0], WIDTH * 7 * 7])));
  }
  get trainables() { return [this.down0, this.down1, this.bn1, this.score].flatMap((m) => m.trainables); }
}

class MlpG {
  constructor(latent) { this.layers = [new Dense(latent, 256), new Dense(256, 512), new Dense(512, SIDE * SIDE)]; }
  forward(z, _training, trace) {
    const [l1, l2, out] = this.layers;
    const x = tf.tanh(out.forward(leaky(l2.forward(leaky(l1.forward(z))))));
    trace?.push(x.shape);
    return x.reshape([z.shape[0], SIDE, SIDE, 1]);
  }
  get trainables() { return this.layers.flatMap((m) => m.trainables); }
}

class MlpD {
  constructor() { this.layers = [new Dense(SIDE * SIDE, 512), new Dense(512, 256), new Dense(256, 1)]; }
  forward(x, _training, trace) {
    const [l1, l2, score] = this.layers;
    const y = score.forward(leaky(l2.forward(leaky(l1.forward(x.reshape([x.shape[0], SIDE * SIDE]))))));
    trace?.push(y.shape);
    return y;
  }
  get trainables() { return this.layers.flatMap((m) => m.trainables); }
}

/** Expected shapes; a mismatch (e.g. TF.js padding read differently) stops the benchmark. */
function checkShapes(g, d, arch, latent) {
  const n = 2;
  const gTrace = [];
  const dTrace = [];
  tf.tidy(() => d.forward(g.forward(tf.zeros([n, latent]), false, gTrace), false, dTrace));
  const want = arch === 'dcgan'
    ? { g: [[n, 1, 1, latent], [n, 7, 7, 64], [n, 14, 14, 32], [n, 28, 28, 1]], d: [[n, 14, 14, 32], [n, 7, 7, 64], [n, 1]] }
    : { g: [[n, SIDE * SIDE]], d: [[n, 1]] };
  const got = { g: gTrace, d: dTrace };
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`shape check failed for ${arch}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  return got;
}

const softplusMean = (x) => tf.softplus(x).mean();

/** One lane: G, D, their Adam optimizers, the pool of random "real" images and the fixed sample z. */
export class Gan {
  constructor({ arch = 'dcgan', batch = 64, latent = 64 } = {}) {
    Object.assign(this, { arch, batch, latent, steps: 0 });
    [this.g, this.d] = arch === 'dcgan' ? [new DcganG(latent), new DcganD()] : [new MlpG(latent), new MlpD()];
    this.shapes = checkShapes(this.g, this.d, arch, latent);
    this.optG = tf.train.adam(ADAM.lr, ADAM.beta1, ADAM.beta2, ADAM.eps);
    this.optD = tf.train.adam(ADAM.lr, ADAM.beta1, ADAM.beta2, ADAM.eps);
    this.pool = tf.randomUniform([POOL, SIDE, SIDE, 1], -1, 1);
    this.fixedZ = tf.randomNormal([64, latent]);
  }

  /** One generator step as our lane's train_step: a D update on a real batch and a detached fake from
   *  a fresh z (G in training mode), then a G update on another fresh z. Returns the step's statistics
   *  still on the device: [d_loss, g_loss, d_real, d_fake, g_grad_norm]. */
  step() {
    const { batch, latent } = this;
    const real = tf.tidy(() => tf.gather(this.pool, tf.randomUniform([batch], 0, POOL, 'int32')));
    const fake = tf.tidy(() => this.g.forward(tf.randomNormal([batch, latent]), true));
    let probs;
    const d = tf.variableGrads(() => {
      const lr = this.d.forward(real, true);
      const lf = this.d.forward(fake, true);
      probs = tf.keep(tf.stack([tf.sigmoid(lr).mean(), tf.sigmoid(lf).mean()]));
      // L_D = E[softplus(-l(x))] + E[softplus(l(G(z)))]: BCE with logits against 1 and 0.
      return softplusMean(lr.neg()).add(softplusMean(lf));
    }, this.d.trainables);
    this.optD.applyGradients(d.grads);
    tf.dispose([real, fake, d.grads]);

    const g = tf.variableGrads(() => {
      const images = this.g.forward(tf.randomNormal([batch, latent]), true);
      return softplusMean(this.d.forward(images, true).neg()); // L_G = E[softplus(-l(G(z)))]
    }, this.g.trainables);
    // Pairwise adds, not tf.addN: on WebGPU one AddN kernel binds every input as a storage buffer, and
    // DCGAN's 10 gradients + 1 output exceed the default limit of 8 per shader stage (the pipeline is
    // rejected and the whole command buffer with it).
    const gradNorm = tf.tidy(() => Object.values(g.grads).map((t) => t.square().sum()).reduce((a, b) => a.add(b)).sqrt());
    this.optG.applyGradients(g.grads);
    const stats = tf.tidy(() => tf.concat([tf.stack([d.value, g.value]), probs, gradNorm.reshape([1])]));
    tf.dispose([g.grads, d.value, g.value, probs, gradNorm]);
    this.steps += 1;
    return stats;
  }

  /** `n` steps, then one read-back of all their statistics (our worker reads once per training call). */
  async train(n) {
    const pending = [];
    for (let i = 0; i < n; i++) pending.push(this.step());
    const all = tf.concat(pending);
    const values = await all.data();
    tf.dispose([all, ...pending]);
    return values;
  }

  /** The fixed-z sample grid, G in inference mode (running BatchNorm statistics), as 0…255 bytes. */
  async samples() {
    const t = tf.tidy(() => this.g.forward(this.fixedZ, false).add(1).mul(127.5).clipByValue(0, 255).reshape([64, SIDE * SIDE]));
    const values = await t.data();
    t.dispose();
    return Uint8ClampedArray.from(values);
  }
}
