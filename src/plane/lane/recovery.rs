//! Keeping a 2-D lane recoverable, as the image lanes are (`lane/recovery.rs`): training that stops at
//! the first non-finite step, a snapshot of the last healthy state every `snapshot_every` generator
//! steps, and rollback to it. The divergence check is `PlaneStats::finite`: the losses and diagnostics
//! the phase computed and the sum of every weight after the step's updates.

use burn::tensor::backend::AutodiffBackend;

use super::{PlaneLane, PlaneState, PlaneStats};
use crate::lane::Phase;
use crate::recovery::LaneSnapshot;

impl<B: AutodiffBackend> LaneSnapshot for PlaneState<B> {
    fn step(&self) -> usize {
        self.step
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

    /// The first step whose statistics were not finite, while the lane is stopped there.
    pub fn diverged_at(&self) -> Option<usize> {
        self.recovery.diverged_at()
    }

    /// Step of the last healthy snapshot (0 until the first is taken).
    pub fn snapshot_step(&self) -> usize {
        self.recovery.snapshot_step()
    }

    /// Snapshots every `every` generator steps from now on (at least 1).
    pub fn set_snapshot_every(&mut self, every: usize) {
        self.recovery.set_every(every);
    }

    /// Replaces the learning rates without validation: tests use absurd ones to provoke divergence.
    /// The config (and so any checkpoint) keeps the validated ones.
    pub fn set_learning_rates_unchecked(&mut self, lr_g: f64, lr_d: f64) {
        self.lr = (lr_g, lr_d);
    }

    /// Restores the last snapshot (weights, optimizer states, random streams, step) and clears the
    /// divergence mark; returns the step it went back to. Training on from there repeats the same
    /// steps, bit for bit on the same backend.
    pub fn rollback(&mut self) -> usize {
        self.recovery.rollback(&mut self.state)
    }

    /// What a save writes: the current state, or the last healthy snapshot while the lane is diverged.
    pub(super) fn saved_state(&self) -> &PlaneState<B> {
        self.recovery.saved(&self.state)
    }
}
