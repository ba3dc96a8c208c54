//! The simulations behind the page: progressive stages, cancellation, and the results of the
//! scenario as loaded ("the start"), which every answer is compared with.
//!
//! A page's run goes through the stages (e.g. 200 → 1,000 → 5,000 replications). Each stage
//! runs only the replications the previous one did not have and appends them, so the
//! experiment after a stage is exactly `covsim run --reps N` (replication `k` depends only on
//! the seed and `k`; sums are folded in replication order). Every variant uses the same seed
//! and replication indexes as the start, so variant and start share their incidents and
//! absences (common random numbers) and the paired differences are narrow.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::engine::catalog;
use crate::model::Model;
use crate::montecarlo::{self, Experiment, Hooks, Plan, RunError, SetupResults};

/// Replication counts of the stages: `first`, then five times as many each step, up to `max`.
pub fn stages(first: u64, max: u64) -> Vec<u64> {
    let mut out = vec![first.clamp(1, max.max(1))];
    while let Some(&last) = out.last()
        && last < max
    {
        out.push(last.saturating_mul(5).min(max));
    }
    out
}

/// Appends the replications of `more` (which must start where `exp` ends) to `exp`: the same
/// result as having run them in one go. The destructuring is exhaustive, so a new field of the
/// results does not compile until it is merged here.
pub fn append(exp: &mut Experiment, more: Experiment) {
    let Experiment {
        first,
        count,
        setups,
    } = more;
    debug_assert_eq!(first, exp.first + exp.count, "appended out of order");
    for (into, from) in exp.setups.iter_mut().zip(setups) {
        let SetupResults {
            name: _,
            values,
            daily,
            times,
            episodes,
        } = from;
        for (a, b) in into.values.iter_mut().zip(values) {
            a.extend(b);
        }
        let d = &mut into.daily;
        let days = d.backlog_counts.len().max(daily.backlog_counts.len());
        d.backlog_counts.resize(days, Vec::new());
        d.nobody_count.resize(days, 0);
        d.open_p1_sum.resize(days, 0);
        for (a, b) in d.backlog_counts.iter_mut().zip(daily.backlog_counts) {
            if a.len() < b.len() {
                a.resize(b.len(), 0);
            }
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (x, y) in d.nobody_count.iter_mut().zip(daily.nobody_count) {
            *x += y;
        }
        for (x, y) in d.open_p1_sum.iter_mut().zip(daily.open_p1_sum) {
            *x += y;
        }
        d.replications += daily.replications;
        for (a, b) in into.times.iter_mut().flatten().zip(times.iter().flatten()) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in into.episodes.iter_mut().zip(&episodes) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }
    exp.count += count;
}

/// Runs replications `have..target` of `model` and appends them to `exp` (or starts it).
pub fn extend(
    model: &Model,
    exp: Option<&Experiment>,
    target: u64,
    threads: Option<usize>,
    hooks: &Hooks<'_>,
) -> Result<Experiment, RunError> {
    let have = exp.map_or(0, |e| e.count);
    let more = montecarlo::run(
        model,
        Plan {
            first: have,
            count: target - have,
            threads,
        },
        hooks,
    )?;
    Ok(match exp {
        None => more,
        Some(e) => {
            let mut e = e.clone();
            append(&mut e, more);
            e
        }
    })
}

/// The start's results at each stage reached so far, shared by all pages: computed once, by
/// whichever page needs a stage first.
pub struct Start {
    model: Arc<Model>,
    stages: Vec<u64>,
    threads: Option<usize>,
    done: Mutex<Vec<Arc<Experiment>>>,
    computing: Mutex<()>,
}

impl Start {
    /// No results yet.
    pub fn new(model: Arc<Model>, stages: Vec<u64>, threads: Option<usize>) -> Start {
        Start {
            model,
            stages,
            threads,
            done: Mutex::new(Vec::new()),
            computing: Mutex::new(()),
        }
    }

    /// The start's results at stage `k`, computing what is missing. Waits while another page
    /// computes them; a cancelled computation keeps nothing. `progress` gets the number of the
    /// start's replications done, and the stage's target.
    pub fn at(
        &self,
        k: usize,
        cancel: &AtomicBool,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<Arc<Experiment>, RunError> {
        // Stages are pushed whole, so a lock poisoned by a panicking page still holds good
        // results. `done` is held only for a moment: a page whose stage is ready never waits
        // for another page's long computation, which holds `computing` instead.
        let ready = || {
            let done = self.done.lock().unwrap_or_else(|p| p.into_inner());
            (done.get(k).cloned(), done.last().cloned(), done.len())
        };
        loop {
            if let (Some(e), _, _) = ready() {
                return Ok(e);
            }
            let _computing = self.computing.lock().unwrap_or_else(|p| p.into_inner());
            let (hit, last, len) = ready();
            if let Some(e) = hit {
                return Ok(e);
            }
            let have = last.as_ref().map_or(0, |e| e.count);
            let target = self.stages[len];
            let hooks = Hooks {
                cancel,
                progress: &|d| progress(have + d, target),
            };
            let next = extend(&self.model, last.as_deref(), target, self.threads, &hooks)?;
            self.done
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(Arc::new(next));
        }
    }
}

/// Values of metric `name` of every setup (in catalog order lookup).
pub fn metric_index(name: &str) -> Option<usize> {
    catalog().iter().position(|d| d.name == name)
}

/// Whether the flag is set.
pub fn cancelled(flag: &AtomicBool) -> bool {
    flag.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_grow_fivefold_up_to_the_last() {
        assert_eq!(stages(200, 5000), vec![200, 1000, 5000]);
        assert_eq!(stages(200, 3000), vec![200, 1000, 3000]);
        assert_eq!(stages(200, 100), vec![100]);
        assert_eq!(stages(0, 10), vec![1, 5, 10]);
    }
}
