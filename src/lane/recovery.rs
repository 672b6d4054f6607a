//! Keeping a lane recoverable: batched training that stops at the first non-finite step, snapshots
//! of the last healthy state, rollback, and checkpoints (bytes) to rebuild a lane elsewhere.
//!
//! Divergence check, per step: the losses, every diagnostic (the generator's gradient norm included)
//! the step's phase computed, and the sum of all generator and discriminator parameters after the
//! step's updates (BatchNorm statistics included), must be finite; values a phase did not compute are
//! absent, not divergence. They are read back with the step's statistics.

use burn::tensor::backend::AutodiffBackend;

use super::{Lane, PendingStats, Phase, StepStats};
use crate::config::TrainConfig;
use crate::data::Digits;
use crate::recovery::{LaneSnapshot, Recoverable, Recovery};
use crate::snapshot::{Checkpoint, LaneState};

impl<B: AutodiffBackend> LaneSnapshot for LaneState<B> {
    fn step(&self) -> usize {
        self.step
    }
}

impl<B: AutodiffBackend> Recoverable for Lane<B> {
    type State = LaneState<B>;

    fn recovery(&self) -> &Recovery<LaneState<B>> {
        &self.recovery
    }

    fn state_and_recovery(&mut self) -> (&mut LaneState<B>, &mut Recovery<LaneState<B>>) {
        (&mut self.state, &mut self.recovery)
    }

    fn learning_rates(&mut self) -> &mut (f64, f64) {
        &mut self.lr
    }
}

impl<B: AutodiffBackend> Lane<B> {
    /// Runs up to `n` (at least 1) generator steps and reads their statistics back in one transfer
    /// (`train_phase` with `Phase::Both`).
    pub async fn train(&mut self, n: usize) -> Result<Vec<StepStats>, String> {
        self.train_phase(n, Phase::Both).await
    }

    /// Runs up to `n` (at least 1) steps of `phase` and reads their statistics back in one transfer.
    /// At the first step whose computed statistics are not finite the lane is marked diverged at that
    /// step's generator-step count: the statistics end there, later steps of the call are discarded,
    /// and training refuses to run until `rollback` (the lane's state past that step is garbage).
    /// While healthy, a snapshot is kept every `snapshot_every` generator steps (so only by phases
    /// that update the generator); one taken during this call is kept only if every step up to it
    /// was finite.
    pub async fn train_phase(&mut self, n: usize, phase: Phase) -> Result<Vec<StepStats>, String> {
        self.recovery.check()?;
        let mut pending = Vec::with_capacity(n.max(1));
        // Snapshots taken during the call, with the index of the step they follow.
        let mut candidates = Vec::new();
        for i in 0..n.max(1) {
            pending.push(self.train_step_phase(phase));
            if phase.trains_g() && self.recovery.due(&self.state) {
                candidates.push((i, self.state.clone()));
            }
        }
        let mut stats = PendingStats::read_many(pending).await?;
        let healthy = match stats.iter().position(|s| !s.finite) {
            Some(bad) => {
                stats.truncate(bad + 1);
                self.recovery.mark_diverged(stats[bad].step);
                bad
            }
            None => stats.len(),
        };
        if let Some((_, snap)) = candidates.into_iter().rev().find(|(i, _)| *i < healthy) {
            self.recovery.keep(snap);
        }
        Ok(stats)
    }

    /// The last snapshot as bytes (see `snapshot.rs`), read back asynchronously.
    pub async fn checkpoint(&self) -> Result<Vec<u8>, String> {
        self.checkpoint_for(None).await
    }

    /// `checkpoint`, recording the data set the lane trains on (`meta.dataset`).
    pub async fn checkpoint_for(&self, dataset: Option<&str>) -> Result<Vec<u8>, String> {
        self.recovery.snapshot().encode(self.config_value(), None, dataset).await
    }

    /// The current state as checkpoint bytes (the last healthy snapshot instead while the lane is
    /// diverged), with the page's loss and quality curves (`curves`, a JSON object kept as it is,
    /// at most `MAX_CURVES_BYTES` of JSON text) in the header.
    pub async fn save(&self, curves: Option<&serde_json::Value>) -> Result<Vec<u8>, String> {
        self.save_for(curves, None).await
    }

    /// `save`, recording the data set the lane trains on (`meta.dataset`, e.g. `"fashion"`).
    pub async fn save_for(&self, curves: Option<&serde_json::Value>, dataset: Option<&str>) -> Result<Vec<u8>, String> {
        self.recovery.saved(&self.state).encode(self.config_value(), curves, dataset).await
    }

    /// `save_for` as a compact checkpoint (`LaneState::encode_compact`: f16 weights, no optimizer
    /// state), small enough to ship with the site.
    pub async fn save_compact(&self, curves: Option<&serde_json::Value>, dataset: Option<&str>) -> Result<Vec<u8>, String> {
        self.recovery.saved(&self.state).encode_compact(self.config_value(), curves, dataset).await
    }

    fn config_value(&self) -> serde_json::Value {
        serde_json::from_str(&self.config.to_json()).expect("config is JSON")
    }

    /// Rebuilds a lane from `checkpoint` bytes on `device`, whatever backend wrote them: its config
    /// is validated again, every tensor must fit the rebuilt networks, and the batch order must fit
    /// `train`. The restored state is the new lane's first snapshot.
    pub fn from_checkpoint(bytes: &[u8], train: &Digits, device: &B::Device) -> Result<Self, String> {
        Ok(Self::from_checkpoint_with_curves(bytes, train, device)?.0)
    }

    /// `from_checkpoint`, also returning the curves the file carries (`None` if it has none).
    pub fn from_checkpoint_with_curves(bytes: &[u8], train: &Digits, device: &B::Device) -> Result<(Self, Option<serde_json::Value>), String> {
        let mut ck = Checkpoint::parse(bytes)?;
        let config = TrainConfig::from_json(&ck.config.to_string())
            .map_err(|errs| format!("checkpoint config: {}", crate::params::describe(&errs, "; ")))?;
        let curves = ck.curves.take();
        let mut lane = Lane::new(config, train, device)?;
        lane.state = lane.state.clone().decode(ck, train.len(), device)?;
        lane.recovery.keep(lane.state.clone());
        Ok((lane, curves))
    }
}
