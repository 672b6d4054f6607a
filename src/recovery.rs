//! What both lane kinds (image and 2-D) keep to stay recoverable: the last healthy snapshot of their
//! state, how often one is taken, and the divergence mark that stops training until a rollback; and
//! the recovery controls both offer (`Recoverable`).

/// Generator steps between snapshots unless the page asks otherwise.
pub const DEFAULT_SNAPSHOT_EVERY: usize = 200;

/// A lane's state as a snapshot holds it: a clone shares every tensor, `step` is its generator-step count.
pub trait LaneSnapshot: Clone {
    fn step(&self) -> usize;
}

/// The last healthy snapshot, taken every `every` generator steps, and the step training diverged at.
pub struct Recovery<S> {
    snapshot: S,
    every: usize,
    diverged_at: Option<usize>,
}

impl<S: LaneSnapshot> Recovery<S> {
    /// Starts from `state` as the first snapshot, one every `DEFAULT_SNAPSHOT_EVERY` steps.
    pub fn new(state: &S) -> Self {
        Recovery { snapshot: state.clone(), every: DEFAULT_SNAPSHOT_EVERY, diverged_at: None }
    }

    /// The refusal to train while the lane is diverged, with where a rollback would take it.
    pub fn check(&self) -> Result<(), String> {
        match self.diverged_at {
            Some(step) => Err(format!(
                "training diverged at step {step}; roll back (to step {}) or reset before training again",
                self.snapshot.step()
            )),
            None => Ok(()),
        }
    }

    /// The first step whose statistics were not finite, while the lane is stopped there.
    pub fn diverged_at(&self) -> Option<usize> {
        self.diverged_at
    }

    /// Stops the lane at `step` (its state past that step is garbage).
    pub fn mark_diverged(&mut self, step: usize) {
        self.diverged_at = Some(step);
    }

    /// Whether a generator step that left the lane at `state` is due for a snapshot.
    pub fn due(&self, state: &S) -> bool {
        state.step().is_multiple_of(self.every)
    }

    /// Keeps `state` as the last healthy snapshot.
    pub fn keep(&mut self, state: S) {
        self.snapshot = state;
    }

    pub fn snapshot(&self) -> &S {
        &self.snapshot
    }

    /// Step of the last healthy snapshot (0 until the first is taken).
    pub fn snapshot_step(&self) -> usize {
        self.snapshot.step()
    }

    /// Snapshots every `every` generator steps from now on (at least 1).
    pub fn set_every(&mut self, every: usize) {
        self.every = every.max(1);
    }

    /// Puts the snapshot back into `state` and clears the divergence mark; the step it went back to.
    pub fn rollback(&mut self, state: &mut S) -> usize {
        *state = self.snapshot.clone();
        self.diverged_at = None;
        state.step()
    }

    /// What a save writes: `state`, or the last healthy snapshot while the lane is diverged.
    pub fn saved<'a>(&'a self, state: &'a S) -> &'a S {
        if self.diverged_at.is_some() { &self.snapshot } else { state }
    }
}

/// The recovery controls of a lane, the same for the image and the 2-D lanes (the wasm bindings, the
/// CLI and the tests call them), provided from the lane's state, its `Recovery` and its learning rates.
pub trait Recoverable {
    type State: LaneSnapshot;

    fn recovery(&self) -> &Recovery<Self::State>;
    /// The lane's state and its recovery record, both to be changed by a rollback.
    fn state_and_recovery(&mut self) -> (&mut Self::State, &mut Recovery<Self::State>);
    /// The learning rates (G, D) the lane's steps use.
    fn learning_rates(&mut self) -> &mut (f64, f64);

    /// The first step whose statistics were not finite, while the lane is stopped there.
    fn diverged_at(&self) -> Option<usize> {
        self.recovery().diverged_at()
    }

    /// Step of the last healthy snapshot (0 until the first is taken).
    fn snapshot_step(&self) -> usize {
        self.recovery().snapshot_step()
    }

    /// Snapshots every `every` generator steps from now on (at least 1).
    fn set_snapshot_every(&mut self, every: usize) {
        self.state_and_recovery().1.set_every(every);
    }

    /// Replaces the learning rates without validation: tests use absurd ones to provoke divergence.
    /// The config (and so any checkpoint) keeps the validated ones.
    fn set_learning_rates_unchecked(&mut self, lr_g: f64, lr_d: f64) {
        *self.learning_rates() = (lr_g, lr_d);
    }

    /// Restores the last snapshot (the whole state: weights, BatchNorm statistics, optimizer states,
    /// random streams, batch order, step) and clears the divergence mark; returns the step it went back
    /// to. Training on from there repeats the same steps, bit for bit on the same backend.
    fn rollback(&mut self) -> usize {
        let (state, recovery) = self.state_and_recovery();
        recovery.rollback(state)
    }
}
