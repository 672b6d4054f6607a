// The lanes one worker trains: building them (from a config or checkpoint bytes), interleaved training
// (equal generator steps per lane per round when the lanes are in step, else an equal share of time),
// samples, live quality metrics, the code explorer and interpolation views, and checkpoints. Everything a lane reports carries its id.
import { TrainingLane } from '../pkg/gan_playground.js';
import { event } from './protocol.js';
import { ownPaceSteps } from './pace.js';

const SAMPLE_EVERY_MS = 400;
/**
 * A training round lasts about this long per lane: long enough that a lane's weights stay in the
 * CPU caches for a few steps in a row (switching lanes every step costs about a third of the speed),
 * short enough that pause and configure answer within a round.
 */
const TARGET_LANE_MS = 150;
/** At most one restart checkpoint (a read-back of the whole snapshot) per lane per this many milliseconds. */
const CHECKPOINT_MIN_MS = 2000;

/** One lane: the wasm object plus what the worker tracks about it. */
class Slot {
  constructor(id, lane, config) {
    Object.assign(this, { id, lane, config, gen: 0, msPerStep: 50, credit: 0, lastEval: -1, codeView: null, interpView: null, viewsDirty: false });
    this.rate = { steps: 0, since: performance.now(), value: 0 };
    this.checkpointSent = { step: lane.steps, at: -Infinity }; // the first snapshot goes out at once
  }

  get diverged() {
    return this.lane.divergedAt !== undefined;
  }
}

export class Lanes {
  /**
   * `post(msg, transfer)` talks to the page; `ctx` gives `backend`, `dataset` (and `datasetId`, its name), `meter` (may be null),
   * `validate(raw)` and `limits` (the module's page::limits()).
   */
  constructor(post, ctx) {
    const { snapshotEvery, evalEvery } = ctx.limits;
    Object.assign(this, { post, ctx, slots: new Map(), snapshotEvery, evalEvery: evalEvery.default, speed: 0, lastSamples: 0, lastRound: 0 });
  }

  /** Pushes event `type` to the page. */
  emit(type, payload, transfer) {
    this.post(event(type, payload), transfer);
  }

  get(id) {
    const slot = this.slots.get(id);
    if (!slot) throw new Error(`there is no lane ${JSON.stringify(id)}`);
    return slot;
  }

  /** Live lanes in display order. */
  all() {
    return [...this.slots.values()];
  }

  /**
   * Builds (or replaces) lane `id` from `raw` or `checkpoint` bytes. With `strict` a checkpoint that
   * cannot be restored is an error (a file the user loaded); otherwise (a restart) the lane starts
   * again from step 0 with a notice.
   */
  build(id, raw, checkpoint = null, strict = false) {
    const { maxLanes } = this.ctx.limits;
    if (!this.slots.has(id) && this.slots.size >= maxLanes) throw new Error(`at most ${maxLanes} lanes; remove one first`);
    let lane = null;
    let config = null;
    let errors = [];
    let curves = null;
    if (checkpoint) {
      try {
        lane = TrainingLane.fromCheckpoint(this.ctx.backend, checkpoint, this.ctx.dataset, this.ctx.datasetId);
        config = JSON.parse(lane.configJson());
        curves = readCurves(lane);
        // An old checkpoint without a checksum, or a compact one (f16, no optimizer state), loads with a word on what that means.
        if (lane.checkpointNotice) this.emit('notice', { level: 'info', message: `Lane ${id}: ${lane.checkpointNotice}.` });
      } catch (e) {
        // The refusal's code and data sets travel with the reply (custom fields of an Error do not cross postMessage).
        if (strict) throw Object.assign(new Error(`the checkpoint was refused: ${e.message ?? e}`), refusalFields(e));
        this.emit('notice', { level: 'warn', message: `Lane ${id}: the checkpoint could not be restored (${e.message ?? e}); starting again from step 0.` });
      }
    }
    if (!lane) {
      ({ config, errors } = this.ctx.validate(raw));
      lane = new TrainingLane(this.ctx.backend, JSON.stringify(config), this.ctx.dataset, this.ctx.datasetId);
    }
    lane.setSnapshotEvery(this.snapshotEvery);
    const old = this.slots.get(id);
    const slot = new Slot(id, lane, config);
    if (old) {
      slot.interpView = old.interpView; // the code explorer closes: the new objective may have no codes
      old.lane.free();
    }
    this.slots.set(id, slot);
    const codes = Array.from(lane.codes);
    const restoredStep = checkpoint && lane.steps > 0 ? lane.steps : undefined;
    this.emit('laneBuilt', { lane: id, config, errors, codes, restoredStep, curves });
    return slot;
  }

  remove(id) {
    const slot = this.get(id);
    this.slots.delete(id);
    slot.lane.free();
  }

  /** Healthy lanes that can train. */
  trainable() {
    return this.all().filter((s) => !s.diverged);
  }

  /** The steps per lane of an equal round: about TARGET_LANE_MS of work per lane (one in slow motion), at most `budget`. */
  roundSize(budget) {
    const slots = this.trainable();
    if (this.speed > 0 || slots.length === 0) return Math.min(1, budget);
    const msPerRound = slots.reduce((sum, s) => sum + Math.max(s.msPerStep, 0.1), 0);
    return Math.min(budget, Math.max(1, Math.min(50, Math.round((TARGET_LANE_MS * slots.length) / msPerRound))));
  }

  /**
   * One round of phase `phase` ('both', 'd' or 'g'). `equal`: every healthy lane trains `n` generator
   * steps (lanes in step). Otherwise each lane has an equal share of time: it earns TARGET_LANE_MS of
   * credit per round and spends it on whole steps (at most 50), so a lane whose step takes longer than
   * that trains every few rounds and a slow lane does not hold back a fast one. Returns the most steps a
   * lane took (0 when none could train).
   */
  async round(n, phase, equal = true) {
    const slots = this.trainable();
    if (slots.length === 0 || n === 0) return 0;
    if (this.speed > 0) {
      // Slow motion: one step per lane, paced to `speed` steps per second.
      const wait = this.lastRound + 1000 / this.speed - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      n = 1;
    }
    this.lastRound = performance.now();
    const steps = equal || this.speed > 0 ? slots.map(() => n) : ownPaceSteps(slots, n, TARGET_LANE_MS);
    let took = 0;
    for (const [i, slot] of slots.entries()) {
      if (steps[i] === 0) continue;
      await this.trainSlot(slot, steps[i], phase);
      took = Math.max(took, steps[i]);
    }
    const slow = this.speed > 0 && this.speed <= 10;
    if (slow || performance.now() - this.lastSamples > SAMPLE_EVERY_MS) await this.sendAllSamples();
    return took;
  }

  async trainSlot(slot, n, phase) {
    const { gen } = slot;
    const t0 = performance.now();
    const stats = phase === 'both' ? await slot.lane.train(n) : await slot.lane.trainPhase(n, phase);
    if (!this.current(slot, gen)) return;
    const elapsed = performance.now() - t0;
    if (phase === 'both') slot.msPerStep = 0.7 * slot.msPerStep + 0.3 * (elapsed / Math.max(1, stats.length));
    const rate = slot.rate;
    rate.steps += stats.length;
    const window = performance.now() - rate.since;
    if (window > 1000 || rate.value === 0) {
      rate.value = (rate.steps * 1000) / window;
      if (window > 1000) slot.rate = { steps: 0, since: performance.now(), value: rate.value };
    }
    this.emit('stats', { lane: slot.id, stats, stepsPerSec: rate.value, msPerStep: slot.msPerStep, memoryBytes: this.ctx.memoryBytes() });
    if (slot.diverged) {
      const last = stats[stats.length - 1];
      // Non-finite values travel as null; in a D-only or G-only step null may also mean "not computed".
      const anyNull = [last.d_loss, last.g_loss, ...Object.values(last.diagnostics)].some((v) => v === null);
      const losses = phase === 'both' ? anyNull : !last.finite && last.weights_finite;
      this.emit('diverged', { lane: slot.id, step: slot.lane.divergedAt, snapshotStep: slot.lane.snapshotStep, losses, weights: !last.weights_finite });
      return;
    }
    if (slot.lane.snapshotStep > slot.checkpointSent.step && performance.now() - slot.checkpointSent.at > CHECKPOINT_MIN_MS) await this.sendCheckpoint(slot);
    const step = slot.lane.steps;
    if (this.ctx.meter && step > 0 && Math.floor(step / this.evalEvery) > Math.floor(Math.max(0, slot.lastEval) / this.evalEvery)) await this.evaluate(slot);
  }

  /** A slot's result is still wanted: the lane was neither replaced, removed nor rolled back. */
  current(slot, gen) {
    return this.slots.get(slot.id) === slot && slot.gen === gen;
  }

  /** Scores fresh samples of the lane with the dataset's classifier, and reports D's scores. */
  async evaluate(slot) {
    const { gen } = slot;
    const step = slot.lane.steps;
    slot.lastEval = step;
    const t0 = performance.now();
    const result = await slot.lane.evaluate(this.ctx.limits.evalSamples);
    if (!this.current(slot, gen)) return;
    const score = this.ctx.meter.score(result.samples);
    this.emit('quality', {
      lane: slot.id, step, fid: score.fid, classesCovered: score.classes_covered, histogram: score.histogram,
      n: score.n, dReal: result.dReal, dFake: result.dFake, ms: performance.now() - t0,
    }, [result.dReal.buffer, result.dFake.buffer]);
  }

  /** Measures every lane that has trained since its last measurement (e.g. when training pauses). */
  async evaluateStale() {
    if (!this.ctx.meter) return;
    for (const slot of this.trainable()) if (slot.lane.steps > 0 && slot.lastEval !== slot.lane.steps) await this.evaluate(slot);
  }

  /**
   * When training stops: measures the lanes that trained since their last measurement, and sends the
   * snapshots the 2 s limit held back (the page restarts and autosaves from them).
   */
  async settle() {
    await this.evaluateStale();
    for (const slot of this.trainable()) if (slot.lane.snapshotStep > slot.checkpointSent.step) await this.sendCheckpoint(slot);
  }

  /** Sends the last snapshot as bytes, so the page can restore it into a new worker. */
  async sendCheckpoint(slot) {
    const { gen } = slot;
    const step = slot.lane.snapshotStep;
    slot.checkpointSent = { step, at: performance.now() };
    const bytes = await slot.lane.checkpoint();
    if (!this.current(slot, gen)) return;
    this.emit('checkpoint', { lane: slot.id, step, bytes }, [bytes.buffer]);
  }

  async sendAllSamples() {
    this.lastSamples = performance.now();
    for (const slot of this.all()) await this.sendSamples(slot);
  }

  async sendSamples(slot) {
    // A diverged lane's generator is garbage: the page keeps the last good samples.
    if (slot.diverged) return;
    const { gen } = slot;
    const pixels = await slot.lane.samples();
    if (!this.current(slot, gen)) return;
    this.emit('samples', { lane: slot.id, step: slot.lane.steps, pixels }, [pixels.buffer]);
    await this.sendViews(slot);
  }

  /** Draws the lane's open code explorer and interpolation views. */
  async sendViews(slot) {
    slot.viewsDirty = false;
    await this.sendCodeGrid(slot);
    await this.sendInterpolation(slot);
  }

  /**
   * Views changed while training held the lanes are drawn with the next samples; when training stops
   * before that, the loop draws them here. Returns whether any was left to draw.
   */
  async sendDirtyViews() {
    const dirty = this.all().filter((s) => s.viewsDirty);
    for (const slot of dirty) await this.sendViews(slot);
    return dirty.length > 0;
  }

  async sendCodeGrid(slot) {
    const view = slot.codeView;
    if (!view || slot.diverged) return;
    const { gen } = slot;
    const [rows] = slot.lane.codes;
    const pixels = await slot.lane.codeGrid(view.zIndex, view.sweep, view.other, view.cols);
    if (!this.current(slot, gen)) return;
    this.emit('codeGrid', { lane: slot.id, step: slot.lane.steps, rows, cols: view.cols, sweep: view.sweep, pixels }, [pixels.buffer]);
  }

  async sendInterpolation(slot) {
    const view = slot.interpView;
    if (!view || slot.diverged) return;
    const { gen } = slot;
    const pixels = await slot.lane.interpolate(view.a, view.b, view.frames);
    if (!this.current(slot, gen)) return;
    this.emit('interpolation', { lane: slot.id, step: slot.lane.steps, ...view, pixels }, [pixels.buffer]);
  }

  /** A checkpoint of the lane's current state with the page's curves (JSON text), for a file. */
  async save(slot, curves) {
    const { gen } = slot;
    const bytes = await slot.lane.save(curves);
    if (!this.current(slot, gen)) throw new Error('the lane was replaced while saving');
    return { step: slot.lane.steps, bytes };
  }

  rollback(slot) {
    const step = slot.lane.rollback();
    slot.gen++;
    slot.lastEval = Math.min(slot.lastEval, step);
    return step;
  }

  setSnapshotEvery(n) {
    this.snapshotEvery = n;
    for (const slot of this.all()) slot.lane.setSnapshotEvery(n);
  }
}

/** The fields of a wasm refusal the page needs: `code`, `checkpointDataset`, `pageDataset` (those set). */
export function refusalFields(e) {
  const out = {};
  for (const key of ['code', 'checkpointDataset', 'pageDataset']) if (typeof e?.[key] === 'string') out[key] = e[key];
  return out;
}

function readCurves(lane) {
  const text = lane.curvesJson;
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
