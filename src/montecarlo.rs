//! Many replications in parallel, reproducible to the bit.
//!
//! Replication `k` derives all its random streams from `(seed, k, …)`, so its result does not
//! depend on which thread runs it, on the batch it is part of, or on the other replications of
//! the run. Replications run in parallel (rayon) in batches; each batch is collected in
//! replication order and folded into the accumulators sequentially, so every sum is taken in
//! the same order whatever the thread count: outputs are byte-identical with 1, 2 or 8 threads.
//!
//! All setups of a replication run in the same task: they share the replication's tickets and
//! people (common random numbers), and the paired differences come from these pairs.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rayon::prelude::*;

use crate::engine::{
    Daily, EpisodeHistogram, ReplicationResult, Simulator, TimeHistogram, catalog,
};
use crate::model::Model;
use crate::stats::MeanCi;

pub use crate::model::MAX_REPLICATIONS;

/// Replication indexes end below this: 10^15. Indexes are written into `replications.csv`, and
/// spreadsheets keep 15 significant digits, so a larger index would not read back exactly;
/// the bound also keeps `first + count` far from overflowing `u64`.
pub const REPLICATION_INDEX_END: u64 = 1_000_000_000_000_000;

/// Which replications to run, and on how many threads.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Index of the first replication (`--replications-from`).
    pub first: u64,
    /// Number of replications.
    pub count: u64,
    /// Worker threads; `None` for one per core.
    pub threads: Option<usize>,
}

impl Plan {
    /// Checks that the replications `first..first + count` exist: `count` between 1 and
    /// [`MAX_REPLICATIONS`], and the last index below [`REPLICATION_INDEX_END`].
    pub fn check(&self) -> Result<(), PlanError> {
        check_range(self.first, self.count)
    }
}

/// Checks a replication range (see [`Plan::check`]).
pub fn check_range(first: u64, count: u64) -> Result<(), PlanError> {
    if count == 0 || count > MAX_REPLICATIONS {
        return Err(PlanError::Count(count));
    }
    if first > REPLICATION_INDEX_END - count {
        return Err(PlanError::First { first, count });
    }
    Ok(())
}

/// A replication range that cannot be run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Too many or no replications.
    #[error(
        "--reps must be between 1 and {MAX_REPLICATIONS} (the limit of simulation.replications), got {0}"
    )]
    Count(u64),
    /// The range would end at or beyond [`REPLICATION_INDEX_END`].
    #[error(
        "--replications-from must be between 0 and {} for {count} replications (replication indexes end below 10^15, which spreadsheets still read exactly), got {first}",
        REPLICATION_INDEX_END - count
    )]
    First {
        /// The first index asked for.
        first: u64,
        /// The replications asked for.
        count: u64,
    },
}

/// Per-day results of one setup, accumulated over replications.
#[derive(Clone, Debug, Default)]
pub struct DailyStats {
    /// For each day, how many replications ended the day with `b` open tickets, by `b`.
    pub backlog_counts: Vec<Vec<u32>>,
    /// For each day, in how many replications nobody qualified was on duty for some business
    /// hour of the day.
    pub nobody_count: Vec<u32>,
    /// For each day, the sum over replications of open P1 tickets at the end of the day.
    pub open_p1_sum: Vec<u64>,
    /// Replications folded in.
    pub replications: u64,
}

impl DailyStats {
    fn add(&mut self, daily: &[Daily]) {
        if self.backlog_counts.len() < daily.len() {
            self.backlog_counts.resize(daily.len(), Vec::new());
            self.nobody_count.resize(daily.len(), 0);
            self.open_p1_sum.resize(daily.len(), 0);
        }
        for (d, day) in daily.iter().enumerate() {
            let counts = &mut self.backlog_counts[d];
            let b = day.backlog as usize;
            if counts.len() <= b {
                counts.resize(b + 1, 0);
            }
            counts[b] += 1;
            self.nobody_count[d] += u32::from(day.uncovered_bh > 0.0);
            self.open_p1_sum[d] += u64::from(day.open_p1);
        }
        self.replications += 1;
    }

    /// Quantile `q` of the end-of-day backlog on day `d` (the smallest value with at least a
    /// share `q` of replications at or below it).
    pub fn backlog_quantile(&self, d: usize, q: f64) -> u32 {
        let counts = &self.backlog_counts[d];
        let need = (q * self.replications as f64).ceil().max(1.0) as u64;
        let mut seen = 0u64;
        for (b, &c) in counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= need {
                return b as u32;
            }
        }
        counts.len().saturating_sub(1) as u32
    }
}

/// The results of one setup.
#[derive(Clone, Debug)]
pub struct SetupResults {
    /// Setup name.
    pub name: String,
    /// `values[m][i]`: metric `m` (in `engine::catalog()` order) of the `i`-th replication.
    pub values: Vec<Vec<f64>>,
    /// Per-day results.
    pub daily: DailyStats,
    /// Response and resolution times of all tickets of all replications:
    /// `[kind][priority][bin]`, kind 0 response, 1 resolution (bins of `TimeHistogram`).
    pub times: [[Vec<u64>; 4]; 2],
    /// Episodes with nobody qualified on duty of all replications by length: `[measure][bin]`,
    /// measure 0 business hours, 1 calendar days (bins of `EpisodeHistogram`).
    pub episodes: [Vec<u64>; 2],
}

/// The results of a run.
#[derive(Clone, Debug)]
pub struct Experiment {
    /// Index of the first replication.
    pub first: u64,
    /// Number of replications.
    pub count: u64,
    /// Results per setup, in the scenario's order.
    pub setups: Vec<SetupResults>,
}

impl Experiment {
    /// An empty experiment with room for `capacity` replications: reserved exactly, the
    /// per-replication values take half the memory that doubling vectors may hold.
    fn new(model: &Model, first: u64, capacity: u64) -> Experiment {
        let metrics = catalog().len();
        let capacity = usize::try_from(capacity).unwrap_or(usize::MAX);
        Experiment {
            first,
            count: 0,
            setups: model
                .setups
                .iter()
                .map(|s| SetupResults {
                    name: s.name.clone(),
                    values: (0..metrics).map(|_| Vec::with_capacity(capacity)).collect(),
                    daily: DailyStats::default(),
                    times: std::array::from_fn(|_| {
                        std::array::from_fn(|_| vec![0; TimeHistogram::BINS])
                    }),
                    episodes: [
                        vec![0; EpisodeHistogram::BUSINESS_H.len() + 1],
                        vec![0; EpisodeHistogram::DAYS.len() + 1],
                    ],
                })
                .collect(),
        }
    }

    /// Folds one replication's results (all setups) in; must be called in replication order.
    fn push(&mut self, results: Vec<ReplicationResult>) {
        for (setup, r) in self.setups.iter_mut().zip(results) {
            for (column, v) in setup.values.iter_mut().zip(r.metrics.values()) {
                column.push(v);
            }
            setup.daily.add(&r.daily);
            // Integer counts: exact in any order.
            let [business, days] = &mut setup.episodes;
            for (sum, &c) in business.iter_mut().zip(&r.episodes.business) {
                *sum += u64::from(c);
            }
            for (sum, &c) in days.iter_mut().zip(&r.episodes.days) {
                *sum += u64::from(c);
            }
            for (kind, hist) in [&r.times.response, &r.times.resolution]
                .into_iter()
                .enumerate()
            {
                // A replication's histogram ends at its last non-empty bin.
                for (sum, counts) in setup.times[kind].iter_mut().zip(hist) {
                    for (s, &c) in sum.iter_mut().zip(counts) {
                        *s += u64::from(c);
                    }
                }
            }
        }
        self.count += 1;
    }
}

/// The run was interrupted (Ctrl-C).
#[derive(Debug, thiserror::Error)]
#[error("interrupted after {done} of {total} replications")]
pub struct Interrupted {
    /// Replications finished.
    pub done: u64,
    /// Replications planned.
    pub total: u64,
}

/// Why a run produced no results.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Ctrl-C (the cancellation flag) stopped it.
    #[error(transparent)]
    Interrupted(#[from] Interrupted),
    /// The replication range does not exist.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The operating system refused the worker threads (too many threads for the memory or
    /// the process limit).
    #[error(
        "cannot start {} worker threads: {source}; run with fewer threads, e.g. --threads 2",
        threads.map_or_else(|| "the".to_string(), |n| n.to_string())
    )]
    Threads {
        /// The threads asked for; `None` for one per core.
        threads: Option<usize>,
        /// What the thread pool reported.
        source: rayon::ThreadPoolBuildError,
    },
}

/// Replications per batch: large enough to keep every thread busy, small enough that an
/// interruption is noticed quickly and the per-replication daily series do not pile up.
const BATCH: u64 = 256;

/// Hooks of a run: a cancellation flag, and progress.
pub struct Hooks<'a> {
    /// Set to stop the run: the engine checks it every few thousand events inside each
    /// replication, and the run then ends with [`Interrupted`] within about a second.
    pub cancel: &'a AtomicBool,
    /// Called with the number of finished replications (from worker threads).
    pub progress: &'a (dyn Fn(u64) + Sync),
}

/// The worker threads of a run. Spawning threads is something the system may refuse (memory,
/// `RLIMIT_NPROC`): that is an error for the user to act on, not a panic.
pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, RunError> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        b = b.num_threads(n.max(1));
    }
    b.build()
        .map_err(|source| RunError::Threads { threads, source })
}

/// Runs replications `first..first + count` of every setup, continuing `exp`. The range must
/// have been checked ([`check_range`]), so that `first + count` does not overflow.
fn run_range(
    sim: &Simulator<'_>,
    pool: &rayon::ThreadPool,
    first: u64,
    count: u64,
    exp: &mut Experiment,
    hooks: &Hooks<'_>,
    total: u64,
) -> Result<(), Interrupted> {
    let done = AtomicU64::new(exp.count);
    let end_all = first + count;
    let interrupted = |exp: &Experiment| Interrupted {
        done: exp.count,
        total,
    };
    let mut next = first;
    while next < end_all {
        if hooks.cancel.load(Ordering::Relaxed) {
            return Err(interrupted(exp));
        }
        let end = next.saturating_add(BATCH).min(end_all);
        let batch: Vec<Vec<ReplicationResult>> = pool.install(|| {
            (next..end)
                .into_par_iter()
                .map(|rep| {
                    // Once cancelled, the batch is thrown away: skip what has not started.
                    if hooks.cancel.load(Ordering::Relaxed) {
                        return Vec::new();
                    }
                    let r = sim.run_all(rep);
                    (hooks.progress)(done.fetch_add(1, Ordering::Relaxed) + 1);
                    r
                })
                .collect()
        });
        // The engine stops a replication early when the flag is set, so a batch that ran
        // while it was set holds unfinished replications: none of it may be folded in.
        if hooks.cancel.load(Ordering::Relaxed) {
            return Err(interrupted(exp));
        }
        for results in batch {
            exp.push(results);
        }
        next = end;
    }
    Ok(())
}

/// Runs the replications of `plan` for every setup of `model`.
pub fn run(model: &Model, plan: Plan, hooks: &Hooks<'_>) -> Result<Experiment, RunError> {
    plan.check()?;
    let sim = Simulator::new(model).with_cancel(hooks.cancel);
    let pool = pool(plan.threads)?;
    let mut exp = Experiment::new(model, plan.first, plan.count);
    run_range(
        &sim, &pool, plan.first, plan.count, &mut exp, hooks, plan.count,
    )?;
    Ok(exp)
}

/// What decided a precision-driven run.
#[derive(Clone, Debug, PartialEq)]
pub struct PrecisionOutcome {
    /// Whether every headline metric reached the precision (false: the cap was hit).
    pub reached: bool,
    /// The setup and metric with the widest relative interval at the end.
    pub deciding: (String, String),
    /// Its relative half-width (half-width / |mean|).
    pub relative_half_width: f64,
}

/// The headline metric with the widest 95 % CI relative to its mean, over all setups.
fn widest(exp: &Experiment) -> (String, String, f64) {
    let mut worst = (String::new(), String::new(), 0.0);
    for s in &exp.setups {
        for (def, values) in catalog().iter().zip(&s.values) {
            if !def.headline {
                continue;
            }
            let ci = MeanCi::of(values.iter().copied());
            let rel = if ci.half_width == 0.0 || ci.n < 2 {
                // No spread (or no data): nothing to gain from more replications.
                0.0
            } else if ci.mean == 0.0 {
                f64::INFINITY
            } else {
                ci.half_width / ci.mean.abs()
            };
            if rel > worst.2 || worst.0.is_empty() {
                worst = (s.name.clone(), def.name.clone(), rel);
            }
        }
    }
    worst
}

/// Runs batches until the 95 % CI half-width of every headline metric of every setup is within
/// `relative` of its mean, or `cap` replications are done. Starts with `initial` replications
/// and doubles. The result equals a plain run of the final number of replications.
pub fn run_to_precision(
    model: &Model,
    first: u64,
    relative: f64,
    initial: u64,
    cap: u64,
    threads: Option<usize>,
    hooks: &Hooks<'_>,
) -> Result<(Experiment, PrecisionOutcome), RunError> {
    check_range(first, cap)?;
    let sim = Simulator::new(model).with_cancel(hooks.cancel);
    let pool = pool(threads)?;
    // Capacity for the first step only: reserving the cap could hold far more than is run.
    let mut exp = Experiment::new(model, first, initial.min(cap));
    let mut target = initial.clamp(2, cap.max(2));
    loop {
        let more = target - exp.count;
        run_range(&sim, &pool, first + exp.count, more, &mut exp, hooks, cap)?;
        let (setup, metric, rel) = widest(&exp);
        if rel <= relative || exp.count >= cap {
            let outcome = PrecisionOutcome {
                reached: rel <= relative,
                deciding: (setup, metric),
                relative_half_width: rel,
            };
            return Ok((exp, outcome));
        }
        target = (exp.count * 2).min(cap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replication_ranges_end_below_the_last_index() {
        assert_eq!(check_range(0, 1), Ok(()));
        assert_eq!(check_range(REPLICATION_INDEX_END - 5, 5), Ok(()));
        assert_eq!(
            check_range(REPLICATION_INDEX_END - 4, 5),
            Err(PlanError::First {
                first: REPLICATION_INDEX_END - 4,
                count: 5
            })
        );
        assert!(check_range(u64::MAX - 3, 5).is_err());
        assert_eq!(check_range(0, 0), Err(PlanError::Count(0)));
        assert_eq!(check_range(0, MAX_REPLICATIONS), Ok(()));
        assert_eq!(
            check_range(0, MAX_REPLICATIONS + 1),
            Err(PlanError::Count(MAX_REPLICATIONS + 1))
        );
    }

    #[test]
    fn an_impossible_thread_pool_is_an_error() {
        // Stands in for a system that refuses threads: the builder's own failure path.
        let e = RunError::Threads {
            threads: Some(1024),
            source: rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .stack_size(usize::MAX)
                .build()
                .expect_err("no stack of usize::MAX bytes"),
        };
        let text = e.to_string();
        assert!(text.contains("cannot start 1024 worker threads"), "{text}");
        assert!(text.contains("--threads"), "{text}");
    }
}
