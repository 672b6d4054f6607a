//! What both lane kinds (image and 2-D) keep to stay recoverable: the last healthy snapshot of their
//! state, how often one is taken, and the divergence mark that stops training until a rollback.

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
        Recovery { snapshot: state.clone(), every: crate::snapshot::DEFAULT_SNAPSHOT_EVERY, diverged_at: None }
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
