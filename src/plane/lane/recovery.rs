//! Keeping a 2-D lane recoverable, as the image lanes are (`lane/recovery.rs`): training that stops at
//! the first non-finite step, a snapshot of the last healthy state every `snapshot_every` generator
//! steps, and rollback to it. The divergence check is `PlaneStats::finite`: the losses and diagnostics
//! the phase computed and the sum of every weight after the step's updates.

use burn::tensor::backend::AutodiffBackend;

use super::{PlaneLane, PlaneState, PlaneStats};
use crate::lane::Phase;
use crate::recovery::{LaneSnapshot, Recoverable, Recovery};

impl<B: AutodiffBackend> LaneSnapshot for PlaneState<B> {
    fn step(&self) -> usize {
        self.step
    }
}

impl<B: AutodiffBackend> Recoverable for PlaneLane<B> {
    type State = PlaneState<B>;

    fn recovery(&self) -> &Recovery<PlaneState<B>> {
        &self.recovery
    }

    fn state_and_recovery(&mut self) -> (&mut PlaneState<B>, &mut Recovery<PlaneState<B>>) {
        (&mut self.state, &mut self.recovery)
    }

    fn learning_rates(&mut self) -> &mut (f64, f64) {
        &mut self.lr
    }
}

impl<B: AutodiffBackend> PlaneLane<B> {
    /// Runs up to `n` (at least 1) steps of `phase`; their statistics. At the first step that is not
    /// finite the lane is marked diverged at that step's generator-step count and the statistics end
    /// there; training then refuses to run until `rollback` (the state past that step is garbage).
    /// While healthy, the state after every `snapshot_every`-th generator step is kept as the snapshot.
    pub fn train(&mut self, n: usize, phase: Phase) -> Result<Vec<PlaneStats>, String> {
        self.recovery.check()?;
        let mut out = Vec::with_capacity(n.max(1));
        for _ in 0..n.max(1) {
            let s = self.step_unchecked(phase);
            let finite = s.finite;
            out.push(s);
            if !finite {
                self.recovery.mark_diverged(self.state.step);
                break;
            }
            if phase.trains_g() && self.recovery.due(&self.state) {
                self.recovery.keep(self.state.clone());
            }
        }
        Ok(out)
    }

    /// One step of `phase` (`train(1, phase)`).
    pub fn step(&mut self, phase: Phase) -> Result<PlaneStats, String> {
        Ok(self.train(1, phase)?.pop().expect("one step"))
    }

    /// What a save writes: the current state, or the last healthy snapshot while the lane is diverged.
    pub(super) fn saved_state(&self) -> &PlaneState<B> {
        self.recovery.saved(&self.state)
    }
}
