//! What one replication measured, computed from the finished run.
//!
//! Counts and durations are per year of the measured window (totals divided by the number of
//! simulated years). Times of tickets (response, resolution) are in business hours of the
//! company's calendar, the clock SLAs use. Only the company's own tickets are measured; the
//! tickets of an MSP's other clients only load the pool.

use std::ops::Range;
use std::sync::OnceLock;

use super::{Client, Run, Simulator, State};
use crate::interval::{IntervalSet, MeasureCursor};
use crate::model::{Priority, Role, Skill, UsersAffected};
use crate::time::{DAY, HOUR, SimTime};

/// Summary of one kind of ticket time (response or resolution) for one priority.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TimeStats {
    /// Tickets measured.
    pub count: f64,
    /// Mean [business hours]; NaN without tickets.
    pub mean: f64,
    /// Median [business hours].
    pub p50: f64,
    /// 90th percentile [business hours].
    pub p90: f64,
    /// 95th percentile [business hours].
    pub p95: f64,
    /// Maximum [business hours].
    pub max: f64,
    /// Share of tickets within the SLA target (0–1).
    pub within_sla: f64,
}

impl TimeStats {
    /// Summary of times given in whole seconds.
    fn of(mut secs: Vec<i64>, target: f64) -> TimeStats {
        if secs.is_empty() {
            return TimeStats {
                count: 0.0,
                mean: f64::NAN,
                p50: f64::NAN,
                p90: f64::NAN,
                p95: f64::NAN,
                max: f64::NAN,
                within_sla: f64::NAN,
            };
        }
        // Only a few order statistics are needed: selecting them is linear where sorting is
        // not, and it showed in profiles.
        let n = secs.len();
        let quantiles = [0.5, 0.9, 0.95].map(|q| crate::stats::quantile_ranks(n, q));
        let [m_lo, m_hi, a_lo, a_hi, b_lo, b_hi, max] = crate::stats::select_ranks(
            &mut secs,
            [
                quantiles[0].0,
                quantiles[0].1,
                quantiles[1].0,
                quantiles[1].1,
                quantiles[2].0,
                quantiles[2].1,
                n - 1,
            ],
        )
        .map(hours);
        let interpolate = crate::stats::interpolate;
        // The sum of whole seconds is exact, and so independent of the order of the tickets.
        let total: i64 = secs.iter().sum();
        let last_within = last_second_within(target);
        let within = secs.iter().filter(|&&s| s <= last_within).count();
        let n = n as f64;
        TimeStats {
            count: n,
            mean: hours(total) / n,
            p50: interpolate(m_lo, m_hi, quantiles[0].2),
            p90: interpolate(a_lo, a_hi, quantiles[1].2),
            p95: interpolate(b_lo, b_hi, quantiles[2].2),
            max,
            within_sla: within as f64 / n,
        }
    }

    fn values(&self) -> [f64; 6] {
        [
            self.mean,
            self.p50,
            self.p90,
            self.p95,
            self.max,
            self.within_sla,
        ]
    }
}

/// Per-replication metrics. See [`catalog`] for names, units and meaning.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    /// Tickets of the company arriving in the window, per year.
    pub tickets: f64,
    /// The same by priority (P1 to P4), per year: the weights of the per-priority results.
    pub tickets_by_priority: [f64; 4],
    /// User-hours lost: users affected × productivity loss × business hours open, per year.
    pub user_hours_lost: f64,
    /// Business hours with a business-wide outage open, per year.
    pub outage_hours: f64,
    /// Days with a business-wide outage during business hours, per year.
    pub outage_days: f64,
    /// Largest number of open tickets at any time in the window.
    pub backlog_max: f64,
    /// Open tickets at the end of the window.
    pub backlog_end: f64,
    /// Time-average number of open tickets in the window.
    pub backlog_mean: f64,
    /// Tickets of the window open longer than the aging threshold (in business days), per year.
    pub tickets_aged: f64,
    /// Tickets open at the end of the window that are older than the aging threshold.
    pub aged_open_at_end: f64,
    /// Response time (arrival to first work) per priority.
    pub response: [TimeStats; 4],
    /// Resolution time (arrival to resolved) per priority.
    pub resolution: [TimeStats; 4],
    /// Share of business hours with at least one qualified (admin-skilled) responder on duty.
    pub coverage_share: f64,
    /// Business hours with no qualified responder on duty, per year.
    pub uncovered_hours: f64,
    /// Longest stretch without a qualified responder, in business hours (nights and weekends
    /// inside it do not count, and do not end it).
    pub longest_gap_bh: f64,
    /// The same stretch in calendar days, from its first to its last uncovered business hour.
    pub longest_gap_days: f64,
    /// Episodes with nobody qualified on duty, per year: maximal stretches of uncovered
    /// business time, where nights and weekends between two uncovered business hours do not
    /// end a stretch (the stretches of `longest_gap_*`).
    pub nobody_episodes: f64,
    /// Mean length of those episodes in business hours (NaN without episodes).
    pub nobody_episode_mean_bh: f64,
    /// Mean length of those episodes in calendar days, each from its first to its last
    /// uncovered business second (NaN without episodes).
    pub nobody_episode_mean_days: f64,
    /// Tickets delayed by missing system knowledge, per year.
    pub knowledge_blocked: f64,
    /// Emergency help engagements, per year.
    pub emergency_calls: f64,
    /// Hours worked by emergency help on the company's tickets, per year.
    pub emergency_hours: f64,
    /// Hours in-house admins worked on tickets, per year.
    pub admin_ticket_hours: f64,
    /// Hours key users worked on tickets, per year.
    pub key_user_hours: f64,
    /// Hours the MSP worked on the company's tickets (travel included), per year.
    pub msp_hours: f64,
    /// Sick days (calendar days) of the setup's in-house people, per year.
    pub sick_days: f64,
    /// Vacation days (working days) of the setup's in-house people, per year.
    pub vacation_days: f64,
    /// Training days of the setup's in-house people, per year.
    pub training_days: f64,
    /// Days the setup's in-house positions were vacant, per year.
    pub vacancy_days: f64,
    /// Resignations of the setup's in-house people, per year.
    pub resignations: f64,
    /// Mean wall-clock hours from arrival to resolution of the window's resolved tickets.
    pub time_in_system_mean_h: f64,
    /// Tickets of the window per wall-clock hour.
    pub arrival_rate_per_h: f64,
    /// Tickets of the window still unresolved when the simulation ended (after the drain).
    pub unresolved_at_end: f64,
    /// P1 and P2 tickets resolved later than their target (or never), per year.
    pub sla_breaches: f64,
    /// On-site visits by the MSP, per year.
    pub onsite_visits: f64,
    /// Tickets emergency help took after they had waited past their escalation time, per year.
    pub escalated_to_help: f64,
    /// Days on which an interim stood in for an absent in-house admin, per year.
    pub interim_days: f64,
    /// Hours interims worked on the company's tickets, per year.
    pub interim_hours: f64,
    /// Costs per year (see the cost module).
    pub cost: super::cost::Costs,
    /// PCs of the company, to state costs per PC.
    pub pcs: u32,
}

/// Name, unit and meaning of one metric column.
#[derive(Clone, Debug)]
pub struct MetricDef {
    /// Column name, with its unit (`_h`, `_days`, `_share`).
    pub name: String,
    /// Whether the metric is one of the headline figures in printed tables.
    pub headline: bool,
    /// What it means.
    pub description: String,
}

/// All metrics, in the order of [`Metrics::values`].
pub fn catalog() -> &'static [MetricDef] {
    static CATALOG: OnceLock<Vec<MetricDef>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let d = |name: &str, headline: bool, description: &str| MetricDef {
            name: name.to_string(),
            headline,
            description: description.to_string(),
        };
        let mut v = vec![
            d("tickets", false, "tickets of the company per year"),
            d("tickets_p1", false, "P1 tickets of the company per year"),
            d("tickets_p2", false, "P2 tickets of the company per year"),
            d("tickets_p3", false, "P3 tickets of the company per year"),
            d("tickets_p4", false, "P4 tickets of the company per year"),
            d(
                "user_hours_lost",
                true,
                "user-hours lost per year (users × loss × business hours open)",
            ),
            d(
                "outage_bh",
                true,
                "business hours with a business-wide outage per year",
            ),
            d(
                "outage_days",
                false,
                "days with a business-wide outage per year",
            ),
            d("backlog_max", true, "largest number of open tickets"),
            d(
                "backlog_end",
                false,
                "open tickets at the end of the window",
            ),
            d("backlog_mean", false, "time-average number of open tickets"),
            d(
                "tickets_aged",
                false,
                "tickets open longer than the aging threshold per year",
            ),
            d(
                "aged_open_at_end",
                false,
                "aged tickets still open at the end of the window",
            ),
        ];
        for kind in ["response", "resolution"] {
            for p in Priority::ALL {
                let pl = p.label().to_lowercase();
                for (stat, what) in [
                    ("mean_bh", "mean"),
                    ("p50_bh", "median"),
                    ("p90_bh", "90th percentile"),
                    ("p95_bh", "95th percentile"),
                    ("max_bh", "maximum"),
                    ("within_sla_share", "share within the SLA target"),
                ] {
                    let headline = kind == "response" && p == Priority::P1 && stat == "p95_bh"
                        || kind == "resolution" && p == Priority::P2 && stat == "p95_bh";
                    v.push(d(
                        &format!("{kind}_{pl}_{stat}"),
                        headline,
                        &format!(
                            "{kind} time of {} tickets, {what} (business hours)",
                            p.label()
                        ),
                    ));
                }
            }
        }
        v.extend([
            d(
                "coverage_share",
                true,
                "share of business hours with a qualified responder on duty",
            ),
            d(
                "uncovered_bh",
                true,
                "business hours per year with no qualified responder",
            ),
            d(
                "longest_gap_bh",
                false,
                "longest stretch with nobody, in business hours",
            ),
            d(
                "longest_gap_days",
                true,
                "longest stretch with nobody, in calendar days",
            ),
            d(
                "nobody_episodes",
                false,
                "stretches with nobody qualified per year",
            ),
            d(
                "nobody_episode_mean_bh",
                false,
                "mean stretch with nobody, in business hours",
            ),
            d(
                "nobody_episode_mean_days",
                false,
                "mean stretch with nobody, in calendar days",
            ),
            d(
                "knowledge_blocked",
                false,
                "tickets delayed by missing system knowledge per year",
            ),
            d(
                "emergency_calls",
                false,
                "emergency help engagements per year",
            ),
            d("emergency_h", false, "hours of emergency help per year"),
            d(
                "admin_ticket_h",
                false,
                "hours in-house admins worked on tickets per year",
            ),
            d(
                "key_user_h",
                false,
                "hours key users worked on tickets per year",
            ),
            d(
                "msp_h",
                false,
                "hours the MSP worked on the company's tickets per year",
            ),
            d(
                "sick_days",
                false,
                "sick calendar days of the in-house people per year",
            ),
            d(
                "vacation_days",
                false,
                "vacation working days of the in-house people per year",
            ),
            d(
                "training_days",
                false,
                "training days of the in-house people per year",
            ),
            d(
                "vacancy_days",
                false,
                "days in-house positions were vacant per year",
            ),
            d(
                "resignations",
                false,
                "resignations of in-house people per year",
            ),
            d(
                "time_in_system_mean_h",
                false,
                "mean wall-clock hours from arrival to resolution",
            ),
            d("arrival_rate_per_h", false, "tickets per wall-clock hour"),
            d(
                "unresolved_at_end",
                false,
                "tickets of the window unresolved at the end of the run",
            ),
            d(
                "sla_breaches",
                false,
                "P1 and P2 tickets resolved later than their target per year",
            ),
            d("onsite_visits", false, "on-site visits by the MSP per year"),
            d(
                "escalated_to_help",
                false,
                "tickets emergency help took after waiting past their escalation time, per year",
            ),
            d(
                "interim_days",
                false,
                "days an interim stood in for an absent in-house admin, per year",
            ),
            d(
                "interim_h",
                false,
                "hours interims worked on the company's tickets per year",
            ),
        ]);
        v.extend(
            super::cost::Costs::catalog()
                .into_iter()
                .map(|(n, h, what)| d(n, h, what)),
        );
        v
    })
}

/// The current name of a metric that covsim 0.2.0 renamed, so that scenario files written for
/// 0.1 get a message that says what to write instead of "unknown metric". Ticket times and
/// hours of the company's business time end in `_bh` (business hours) since 0.2.0, so that
/// they are not read as clock hours (`time_in_system_mean_h` is clock hours).
pub fn renamed_metric(old: &str) -> Option<String> {
    let new = match old {
        "outage_h" => "outage_bh".to_owned(),
        "uncovered_h" => "uncovered_bh".to_owned(),
        "longest_gap_business_h" => "longest_gap_bh".to_owned(),
        _ => {
            let stem = old.strip_suffix("_h")?;
            if !(stem.starts_with("response_p") || stem.starts_with("resolution_p")) {
                return None;
            }
            format!("{stem}_bh")
        }
    };
    catalog().iter().any(|d| d.name == new).then_some(new)
}

impl Metrics {
    /// All values, in the order of [`catalog`].
    pub fn values(&self) -> Vec<f64> {
        let mut v = vec![
            self.tickets,
            self.tickets_by_priority[0],
            self.tickets_by_priority[1],
            self.tickets_by_priority[2],
            self.tickets_by_priority[3],
            self.user_hours_lost,
            self.outage_hours,
            self.outage_days,
            self.backlog_max,
            self.backlog_end,
            self.backlog_mean,
            self.tickets_aged,
            self.aged_open_at_end,
        ];
        for s in self.response.iter().chain(&self.resolution) {
            v.extend(s.values());
        }
        v.extend([
            self.coverage_share,
            self.uncovered_hours,
            self.longest_gap_bh,
            self.longest_gap_days,
            self.nobody_episodes,
            self.nobody_episode_mean_bh,
            self.nobody_episode_mean_days,
            self.knowledge_blocked,
            self.emergency_calls,
            self.emergency_hours,
            self.admin_ticket_hours,
            self.key_user_hours,
            self.msp_hours,
            self.sick_days,
            self.vacation_days,
            self.training_days,
            self.vacancy_days,
            self.resignations,
            self.time_in_system_mean_h,
            self.arrival_rate_per_h,
            self.unresolved_at_end,
            self.sla_breaches,
            self.onsite_visits,
            self.escalated_to_help,
            self.interim_days,
            self.interim_hours,
        ]);
        v.extend(self.cost.values_for(self.pcs));
        v
    }
}

/// Response and resolution times of tickets in fixed bins, per priority: integer counts, so
/// that histograms of many replications add up exactly and in any order. A replication's
/// vectors end at their last non-empty bin (at most [`TimeHistogram::BINS`] long), which keeps
/// the results of a batch small.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeHistogram {
    /// `response[p][i]`: tickets of priority `p` with a response time in bin `i`.
    pub response: [Vec<u32>; 4],
    /// The same for resolution times.
    pub resolution: [Vec<u32>; 4],
}

impl TimeHistogram {
    /// Width of the fine bins [business hours]: six minutes, up to [`TimeHistogram::FINE_UPTO_H`].
    pub const BIN_H: f64 = 0.1;
    /// The fine bins end here [business hours]: three working days of a Mon–Fri 8–17
    /// calendar, where SLA targets lie (a target that is a whole multiple of 0.1 h up to here
    /// is a bin edge, so the share within it is exact).
    pub const FINE_UPTO_H: f64 = 24.0;
    /// Fine bins after bin 0 (which holds exactly zero).
    const FINE_BINS: usize = 240;
    /// Upper edges of the coarse bins after the fine ones, in tenths of a business hour: the
    /// Renard R20 series (20 steps a decade, about 12 % each) from 25 to 10,000 hours, so the
    /// tail of a loaded queue is resolved and every edge is a short decimal.
    const COARSE_TENTHS: [u32; 53] = [
        250, 280, 315, 355, 400, 450, 500, 560, 630, 710, 800, 900, 1_000, 1_120, 1_250, 1_400,
        1_600, 1_800, 2_000, 2_240, 2_500, 2_800, 3_150, 3_550, 4_000, 4_500, 5_000, 5_600, 6_300,
        7_100, 8_000, 9_000, 10_000, 11_200, 12_500, 14_000, 16_000, 18_000, 20_000, 22_400,
        25_000, 28_000, 31_500, 35_500, 40_000, 45_000, 50_000, 56_000, 63_000, 71_000, 80_000,
        90_000, 100_000,
    ];
    /// Bins: zero, the fine bins, the coarse bins, and the last one, open from 10,000 business
    /// hours on.
    pub const BINS: usize = 1 + Self::FINE_BINS + Self::COARSE_TENTHS.len() + 1;

    /// Counts a time of `secs` business seconds in `counts`, which grows to the bin as needed.
    fn count(counts: &mut Vec<u32>, secs: i64) {
        let bin = Self::bin_of_secs(secs);
        if counts.len() <= bin {
            counts.resize(bin + 1, 0);
        }
        counts[bin] += 1;
    }

    /// Upper edge of bin `i` in tenths of a business hour, an integer so that it is written as
    /// the decimal it is (`tenths as f64 / 10.0` prints exactly); `None` for the open last bin.
    pub fn upper_tenths(i: usize) -> Option<u32> {
        match i {
            _ if i <= Self::FINE_BINS => Some(i as u32),
            _ => Self::COARSE_TENTHS.get(i - Self::FINE_BINS - 1).copied(),
        }
    }

    /// Upper edge of bin `i` [business hours]; infinite for the open last bin.
    pub fn upper_h(i: usize) -> f64 {
        Self::upper_tenths(i).map_or(f64::INFINITY, |t| f64::from(t) / 10.0)
    }

    /// Bin of a time in business hours: bin `i` holds `upper_h(i − 1) < x <= upper_h(i)`, and
    /// bin 0 exactly zero, so that "within a target of T hours" is a sum over whole bins.
    pub fn bin(x: f64) -> usize {
        // Times are whole seconds; rounding a hair down keeps an edge such as 0.3 h (which is
        // 1080.0000000000002 s in floating point) in its own bin.
        Self::bin_of_secs((x * HOUR as f64 - 1e-6).ceil() as i64)
    }

    /// [`TimeHistogram::bin`] of a time given in whole seconds, in integer arithmetic (no
    /// divisions of floating-point numbers, which showed in profiles). A test checks that the
    /// two agree.
    fn bin_of_secs(secs: i64) -> usize {
        const TENTH_S: u64 = 360;
        debug_assert_eq!(TENTH_S as f64, Self::BIN_H * HOUR as f64);
        let secs = secs.max(0) as u64;
        let fine = secs.div_ceil(TENTH_S) as usize;
        if fine <= Self::FINE_BINS {
            return fine;
        }
        // The first coarse edge at or above the time; past the last, the open bin.
        let coarse = Self::COARSE_TENTHS.partition_point(|&t| u64::from(t) * TENTH_S < secs);
        Self::FINE_BINS + 1 + coarse
    }
}

/// Lengths of the episodes with nobody qualified on duty (see [`Metrics::nobody_episodes`]),
/// in fixed bins: integer counts, so that many replications add up exactly and in any order.
/// Bin `i` holds lengths `edge[i − 1] < x <= edge[i]`; the last bin is open.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EpisodeHistogram {
    /// Episodes by length in business hours (bins of [`EpisodeHistogram::BUSINESS_H`]).
    pub business: [u32; EpisodeHistogram::BUSINESS_H.len() + 1],
    /// Episodes by length in calendar days (bins of [`EpisodeHistogram::DAYS`]).
    pub days: [u32; EpisodeHistogram::DAYS.len() + 1],
}

impl EpisodeHistogram {
    /// Upper bin edges [business hours]: an hour, a morning, a working day (8–9 h), a week
    /// (40–45 h), a month, a quarter, half a year; the last bin is open.
    pub const BUSINESS_H: [u32; 17] = [
        1, 2, 4, 8, 16, 24, 40, 80, 120, 160, 240, 320, 480, 640, 960, 1_280, 2_000,
    ];
    /// Upper bin edges [calendar days]: a day, a long weekend, a week, two, three, a month, a
    /// quarter, half a year, a year; the last bin is open.
    pub const DAYS: [u32; 12] = [1, 2, 3, 5, 7, 14, 21, 30, 60, 90, 180, 365];

    /// Counts an episode of `business_s` uncovered business seconds spanning `span_s` seconds.
    fn count(&mut self, business_s: i64, span_s: i64) {
        let bin =
            |edges: &[u32], x: i64, unit: i64| edges.partition_point(|&e| i64::from(e) * unit < x);
        self.business[bin(&Self::BUSINESS_H, business_s, HOUR)] += 1;
        self.days[bin(&Self::DAYS, span_s, DAY)] += 1;
    }
}

/// One day of the measured window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Daily {
    /// Open tickets at the end of the day (24:00).
    pub backlog: u32,
    /// Open P1 tickets at the end of the day.
    pub open_p1: u32,
    /// Business hours of the day with no qualified responder on duty.
    pub uncovered_bh: f64,
}

fn hours(secs: i64) -> f64 {
    secs as f64 / HOUR as f64
}

/// The last whole second `s` within a target of `target_h` hours: `hours(s) <= target_h + 1e-9`
/// exactly when `s <= last_second_within(target_h)` (`hours` is monotonic), so that comparing
/// tickets with a target needs no division per ticket. `i64::MAX` for targets beyond any time.
fn last_second_within(target_h: f64) -> i64 {
    let limit = target_h + 1e-9;
    let guess = limit * HOUR as f64;
    if guess.is_nan() || guess >= 1e15 {
        return i64::MAX;
    }
    let mut s = (guess.floor() as i64).max(-1);
    while s >= 0 && hours(s) > limit {
        s -= 1;
    }
    while hours(s + 1) <= limit {
        s += 1;
    }
    s
}

/// Computes the metrics of a finished run.
pub(super) fn compute(
    run: &Run<'_>,
    sim: &Simulator<'_>,
    replication: u64,
) -> super::ReplicationResult {
    let model = run.model;
    let own: Vec<usize> = if run.own_count == run.tickets.len() {
        (0..run.tickets.len()).collect()
    } else {
        let mut own = Vec::with_capacity(run.own_count);
        own.extend((0..run.tickets.len()).filter(|&i| run.tickets[i].client == Client::Own));
        own
    };
    // `own` is in arrival order, so the window's tickets are a range of it.
    let arrival = |i: &usize| run.tickets[*i].arrival;
    let window = own.partition_point(|i| arrival(i) < SimTime::ZERO)
        ..own.partition_point(|i| arrival(i) < run.window_end);
    let measured = Measured {
        run,
        sim,
        years: f64::from(model.sim.years),
        w_end: run.window_end,
        own,
        window,
    };
    let mut counts = [0u32; 4];
    for &i in measured.window() {
        counts[run.tickets[i].priority.index()] += 1;
    }
    let by_priority = counts.map(|c| f64::from(c) / measured.years);
    let mut m = Metrics {
        tickets: measured.window().len() as f64 / measured.years,
        tickets_by_priority: by_priority,
        ..Metrics::default()
    };
    measured.downtime(&mut m);
    let mut daily = measured.backlog(&mut m);
    measured.aging(&mut m);
    let times = measured.ticket_times(&mut m);
    let episodes = measured.coverage(&mut m, &mut daily);
    measured.work_and_people(&mut m);
    m.cost = super::cost::costs(run, &m);
    m.pcs = model.company.pcs;
    debug_assert!(
        run.responders
            .iter()
            .all(|r| !matches!(r.state, State::Working { .. }))
    );

    super::ReplicationResult {
        ended: run.ended,
        times,
        episodes,
        replication,
        metrics: m,
        daily,
    }
}

/// A finished run and the company's tickets in it, which every metric section measures.
struct Measured<'r, 'm> {
    run: &'r Run<'m>,
    sim: &'r Simulator<'m>,
    /// Measured years, the divisor of every per-year figure.
    years: f64,
    /// End of the measured window.
    w_end: SimTime,
    /// The company's tickets, in arrival order.
    own: Vec<usize>,
    /// The range of `own` that arrived in the measured window.
    window: Range<usize>,
}

impl Measured<'_, '_> {
    /// The company's tickets that arrived in the measured window, in arrival order.
    fn window(&self) -> &[usize] {
        &self.own[self.window.clone()]
    }

    /// When ticket `i` was resolved, or the end of the simulated span if never.
    fn end_of(&self, i: usize) -> SimTime {
        self.run.jobs[i].resolved.unwrap_or(self.run.model.end())
    }

    /// User-hours lost and business-wide outages.
    ///
    /// Downtime: business hours inside the window during which each ticket was open, weighted
    /// by the users it stops and their loss. Overlapping tickets add up, but never beyond the
    /// company's users: nobody loses more than all of their working time (a user locked out
    /// during a company-wide outage does not lose those hours twice).
    fn downtime(&self, m: &mut Metrics) {
        let (run, model) = (self.run, self.run.model);
        let mut outages = Vec::new();
        let loss = &self.sim.category_loss;
        let (tickets, jobs) = (&run.tickets[..], &run.jobs[..]);
        let span = |i: usize| {
            let t = &tickets[i];
            let (a, b) = (t.arrival.max(SimTime::ZERO), self.end_of(i).min(self.w_end));
            (a, b, loss[t.category as usize].0)
        };
        // Starts in arrival order, ends in the order of resolution (the open tickets last): two
        // sorted runs, merged in linear time.
        let mut starts = Vec::with_capacity(self.own.len());
        for &i in &self.own {
            let (a, b, rate) = span(i);
            if b <= a {
                continue;
            }
            if rate > 0.0 {
                starts.push((a, rate));
            }
            if loss[tickets[i].category as usize].1 {
                outages.push((a, b));
            }
        }
        let unresolved = self
            .own
            .iter()
            .copied()
            .filter(|&i| jobs[i].resolved.is_none());
        let mut ends = Vec::with_capacity(self.own.len());
        for i in run.resolution_order.iter().copied().chain(unresolved) {
            let (a, b, rate) = span(i);
            if b > a && rate > 0.0 {
                ends.push((b, -rate));
            }
        }
        let mut loss_changes = merge_runs(&ends, &starts, |c| c.0);
        // Changes at the same time are added in ascending order, which makes the sum (to the last
        // bit) independent of which run or ticket they came from.
        for group in loss_changes.chunk_by_mut(|x, y| x.0 == y.0) {
            if group.len() > 1 {
                group.sort_by(|x, y| x.1.total_cmp(&y.1));
            }
        }
        let all_users = f64::from(model.company.users);
        let (mut lost, mut rate, mut last) = (0.0, 0.0f64, SimTime::ZERO);
        let mut business = self.sim.business_window.measure_cursor();
        let mut measure_last = business.measure_before(last);
        for &(t, delta) in &loss_changes {
            if t > last {
                let measure_t = business.measure_before(t);
                lost += rate.clamp(0.0, all_users) * hours(measure_t - measure_last);
                (last, measure_last) = (t, measure_t);
            }
            rate += delta;
        }
        m.user_hours_lost = lost / self.years;
        let outage = IntervalSet::from_intervals(outages).intersect(&self.sim.business_window);
        m.outage_hours = hours(outage.measure()) / self.years;
        let mut outage_days = std::collections::BTreeSet::new();
        for (s, e) in outage.intervals() {
            outage_days.extend(s.day()..=SimTime(e.secs() - 1).day());
        }
        m.outage_days = outage_days.len() as f64 / self.years;
    }

    /// Backlog figures and the daily open counts.
    ///
    /// A sweep over arrivals (+1) and resolutions (-1) of the company's tickets, both in time
    /// order. At equal times, resolutions before arrivals: a ticket open on [a, r) is not open
    /// at r. (The order among equal times and directions does not change any count.)
    fn backlog(&self, m: &mut Metrics) -> Vec<Daily> {
        let run = self.run;
        let w_end = self.w_end;
        let p1 = |i: usize| run.tickets[i].priority == Priority::P1;
        let days = w_end.day() as usize;
        let mut daily = vec![Daily::default(); days];
        let (mut open, mut open_p1) = (0i64, 0i64);
        // The area under the backlog in ticket-seconds, summed exactly.
        let (mut max_open, mut area) = (0i64, 0i64);
        let mut last = SimTime::ZERO;
        let mut next_day = 1usize;
        let mut record_days_until = |t: SimTime, open: i64, open_p1: i64, next_day: &mut usize| {
            while *next_day <= days && SimTime::day_start(*next_day as i64) <= t {
                daily[*next_day - 1].backlog = open as u32;
                daily[*next_day - 1].open_p1 = open_p1 as u32;
                *next_day += 1;
            }
        };
        // Arrivals in arrival order, resolutions in the order of resolution: two sorted runs,
        // merged as they are swept.
        let (arrivals, resolutions) = (&self.own, &run.resolution_order);
        let (mut next_arrival, mut next_resolution) = (0, 0);
        loop {
            let arrival = arrivals
                .get(next_arrival)
                .map(|&i| (run.tickets[i].arrival, i));
            let resolution = resolutions
                .get(next_resolution)
                .map(|&i| (self.end_of(i), i));
            let (t, d, i) = match (resolution, arrival) {
                (Some(r), Some(a)) if r.0 <= a.0 => (r.0, -1, r.1),
                (_, Some(a)) => (a.0, 1, a.1),
                (Some(r), None) => (r.0, -1, r.1),
                (None, None) => break,
            };
            if d > 0 {
                next_arrival += 1;
            } else {
                next_resolution += 1;
            }
            let p1 = p1(i);
            if t >= w_end {
                break;
            }
            if t > SimTime::ZERO {
                let from = last.max(SimTime::ZERO);
                area += open * (t - from).max(0);
                record_days_until(t, open, open_p1, &mut next_day);
                last = t;
            }
            open += i64::from(d);
            if p1 {
                open_p1 += i64::from(d);
            }
            if t >= SimTime::ZERO {
                max_open = max_open.max(open);
            }
        }
        area += open * (w_end - last.max(SimTime::ZERO));
        record_days_until(w_end, open, open_p1, &mut next_day);
        m.backlog_max = max_open as f64;
        m.backlog_end = open as f64;
        m.backlog_mean = area as f64 / (w_end - SimTime::ZERO) as f64;
        daily
    }

    /// Tickets open longer than the aging threshold, in business days.
    fn aging(&self, m: &mut Metrics) {
        let (run, w_end) = (self.run, self.w_end);
        let bdays = |a: SimTime, b: SimTime| self.sim.business_days.after_until(a, b);
        let limit = run.model.sim.aged_after_business_days;
        m.tickets_aged = self
            .window()
            .iter()
            .filter(|&&i| bdays(run.tickets[i].arrival, self.end_of(i)) > limit)
            .count() as f64
            / self.years;
        m.aged_open_at_end = self
            .own
            .iter()
            .filter(|&&i| {
                run.tickets[i].arrival < w_end
                    && self.end_of(i) > w_end
                    && bdays(run.tickets[i].arrival, w_end) > limit
            })
            .count() as f64;
    }

    /// Response and resolution times per priority, in business hours, and the counts of the
    /// window's tickets by outcome.
    fn ticket_times(&self, m: &mut Metrics) -> TimeHistogram {
        let (run, model) = (self.run, self.run.model);
        let setup = &model.setups[run.setup];
        let window = self.window();
        let mut times = TimeHistogram {
            response: Default::default(),
            resolution: Default::default(),
        };
        let mut per_priority = [0; 4];
        for &i in window {
            per_priority[run.tickets[i].priority.index()] += 1;
        }
        // In whole seconds, which sort faster than hours and convert exactly afterwards.
        let mut resp = per_priority.map(Vec::with_capacity);
        let mut reso = per_priority.map(Vec::with_capacity);
        // Wall-clock seconds in the system, summed exactly.
        let (mut sojourn_s, mut sojourn_n) = (0i64, 0usize);
        let last_in_time = setup.sla.resolution_h.map(last_second_within);
        let mut sla_breaches = 0usize;
        // Cursors beat searching the calendar's business hours for every ticket: one per kind of
        // time, since arrivals, first starts and resolutions are each nearly sorted on their
        // own, but not interleaved.
        let (mut at_arrival, mut at_start, mut at_resolution) = (
            model.business.measure_cursor(),
            model.business.measure_cursor(),
            model.business.measure_cursor(),
        );
        for &i in window {
            let t = &run.tickets[i];
            let j = &run.jobs[i];
            let p = t.priority.index();
            let business_before_arrival = at_arrival.measure_before(t.arrival);
            let business_since_arrival = |later: &mut MeasureCursor<'_>, u: SimTime| -> i64 {
                if u <= t.arrival {
                    0
                } else {
                    later.measure_before(u) - business_before_arrival
                }
            };
            if let Some(s) = j.first_start {
                let secs = business_since_arrival(&mut at_start, s);
                TimeHistogram::count(&mut times.response[p], secs);
                resp[p].push(secs);
            }
            let mut breached = j.resolved.is_none();
            if let Some(r) = j.resolved {
                let secs = business_since_arrival(&mut at_resolution, r);
                TimeHistogram::count(&mut times.resolution[p], secs);
                reso[p].push(secs);
                sojourn_s += r - t.arrival;
                sojourn_n += 1;
                breached = secs > last_in_time[p];
            }
            // Breaches are counted for P1 and P2 only: their targets are the contractual ones.
            if p <= Priority::P2.index() && breached {
                sla_breaches += 1;
            }
        }
        for p in 0..4 {
            m.response[p] = TimeStats::of(std::mem::take(&mut resp[p]), setup.sla.response_h[p]);
            m.resolution[p] =
                TimeStats::of(std::mem::take(&mut reso[p]), setup.sla.resolution_h[p]);
        }
        m.time_in_system_mean_h = if sojourn_n > 0 {
            hours(sojourn_s) / sojourn_n as f64
        } else {
            f64::NAN
        };
        m.arrival_rate_per_h = window.len() as f64 / hours(self.w_end - SimTime::ZERO);
        let count = |f: &dyn Fn(&super::Job) -> bool| {
            window.iter().filter(|&&i| f(&run.jobs[i])).count() as f64
        };
        m.unresolved_at_end = count(&|j| j.resolved.is_none());
        m.knowledge_blocked = count(&|j| j.knowledge_blocked) / self.years;
        m.emergency_calls = count(&|j| j.helped) / self.years;
        m.escalated_to_help = count(&|j| j.helped && j.escalated) / self.years;
        m.sla_breaches = sla_breaches as f64 / self.years;
        times
    }

    /// Coverage by admin-skilled responders on regular duty (not emergency help, not P1-only
    /// on-call), and the daily uncovered hours.
    ///
    /// An episode ("stretch") is a maximal run of uncovered business time: it starts at an
    /// uncovered business second after a covered one (or at the start of the window) and ends
    /// at the last uncovered business second before the next covered one (or the end of the
    /// window; stretches are cut at the window's edges). Time outside business hours neither
    /// counts towards it nor ends it. Its length is its uncovered business time, and in
    /// calendar days the span from its first to its last uncovered second, nights and weekends
    /// included.
    fn coverage(&self, m: &mut Metrics, daily: &mut [Daily]) -> EpisodeHistogram {
        let bw = &self.sim.business_window;
        let mut covered = IntervalSet::empty();
        for r in &self.run.responders {
            if !r.emergency && !r.p1_only && r.skills.has(Skill::Admin) {
                covered = covered.union(&r.timeline.duty);
            }
        }
        let covered = covered.intersect(bw);
        let total = bw.measure();
        m.coverage_share = if total > 0 {
            covered.measure() as f64 / total as f64
        } else {
            f64::NAN
        };
        let gaps = bw.subtract(&covered);
        m.uncovered_hours = hours(gaps.measure()) / self.years;
        // Stretches: consecutive gaps with no business time between them form one stretch.
        let (mut best_bh, mut best_days) = (0i64, 0f64);
        let mut episodes = EpisodeHistogram::default();
        let (mut n, mut sum_bh, mut sum_span) = (0u64, 0i64, 0i64);
        let mut finish = |(cs, ce, acc): (SimTime, SimTime, i64)| {
            episodes.count(acc, ce - cs);
            n += 1;
            sum_bh += acc;
            sum_span += ce - cs;
        };
        let mut cur: Option<(SimTime, SimTime, i64)> = None;
        let mut business = bw.measure_cursor();
        for (s, e) in gaps.intervals() {
            cur = match cur {
                Some((cs, ce, acc)) if business.measure_between(ce, s) == 0 => {
                    Some((cs, e, acc + (e - s)))
                }
                done => {
                    if let Some(done) = done {
                        finish(done);
                    }
                    Some((s, e, e - s))
                }
            };
            let (cs, ce, acc) = cur.expect("just set");
            if acc > best_bh {
                best_bh = acc;
                best_days = (ce - cs) as f64 / DAY as f64;
            }
            // Per-day uncovered hours for the daily series.
            let mut a = s;
            while a < e {
                let b = e.min(SimTime::day_start(a.day() + 1));
                if let Some(dd) = daily.get_mut(a.day() as usize) {
                    dd.uncovered_bh += hours(b - a);
                }
                a = b;
            }
        }
        if let Some(last) = cur {
            finish(last);
        }
        m.longest_gap_bh = hours(best_bh);
        m.longest_gap_days = best_days;
        m.nobody_episodes = n as f64 / self.years;
        (m.nobody_episode_mean_bh, m.nobody_episode_mean_days) = if n > 0 {
            (
                hours(sum_bh) / n as f64,
                sum_span as f64 / DAY as f64 / n as f64,
            )
        } else {
            (f64::NAN, f64::NAN)
        };
        episodes
    }

    /// Work hours by kind of responder, on-site visits, and the in-house people's absences.
    fn work_and_people(&self, m: &mut Metrics) {
        let (run, model, years) = (self.run, self.run.model, self.years);
        let window_set = IntervalSet::span(SimTime::ZERO, self.w_end);
        let first_year = model.calendar.first_year();
        let measure_days = |s: &IntervalSet| s.intersect(&window_set).measure() as f64 / DAY as f64;
        for r in &run.responders {
            m.onsite_visits += f64::from(r.onsite_visits) / years;
            let h = hours(r.own_work_s) / years;
            if r.interim {
                let mut days: Vec<i64> = Vec::new();
                for (a, b) in r.timeline.duty.intersect(&window_set).intervals() {
                    for d in a.day()..=SimTime(b.secs() - 1).day() {
                        if days.last() != Some(&d) {
                            days.push(d);
                        }
                    }
                }
                m.interim_days += days.len() as f64 / years;
            }
            match r.role {
                _ if r.emergency => m.emergency_hours += h,
                _ if r.interim => m.interim_hours += h,
                Some(Role::Admin) => m.admin_ticket_hours += h,
                Some(Role::KeyUser) => m.key_user_hours += h,
                Some(Role::Technician) | None => m.msp_hours += h,
            }
            if matches!(r.role, Some(Role::Admin | Role::KeyUser)) {
                let tl = &r.timeline;
                m.sick_days += measure_days(&tl.sick) / years;
                m.training_days += measure_days(&tl.training) / years;
                m.vacancy_days += measure_days(&tl.vacancy) / years;
                m.resignations += tl
                    .resignations
                    .iter()
                    .filter(|&&t| run.in_window(t))
                    .count() as f64
                    / years;
                m.vacation_days += tl
                    .vacation_days_by_year
                    .iter()
                    .filter(|(y, _)| (first_year..first_year + model.sim.years as i32).contains(y))
                    .map(|&(_, d)| f64::from(d))
                    .sum::<f64>()
                    / years;
            }
        }
    }
}

/// Merges two runs sorted by `key` into one; at equal keys the elements of `a` come first, each
/// run in its own order (what a stable sort of `a` followed by `b` gives, in linear time).
fn merge_runs<T: Copy, K: Ord>(a: &[T], b: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if key(&b[j]) < key(&a[i]) {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Per category of `model`: users stopped × share of their work lost (the same for all its
/// tickets), and whether it stops every user (a business-wide outage).
pub(super) fn category_loss(model: &crate::model::Model) -> Vec<(f64, bool)> {
    model
        .categories
        .iter()
        .map(|c| {
            let users = match c.users_affected {
                UsersAffected::Count(n) => n,
                UsersAffected::All => model.company.users,
            };
            (
                f64::from(users) * c.productivity_loss,
                c.users_affected == UsersAffected::All,
            )
        })
        .collect()
}

/// Business days (days with business hours) counted over the model's span, for the aging
/// metric. It depends on the calendar only, so it is built once per model.
pub(super) struct BusinessDays {
    first_day: i64,
    /// `prefix[d]`: business days among the first `d` days of the span.
    prefix: Vec<u32>,
}

impl BusinessDays {
    pub(super) fn new(model: &crate::model::Model) -> BusinessDays {
        let first_day = model.start().day();
        let days = (model.end().day() - first_day + 1) as usize;
        let mut is_business_day = vec![false; days];
        for (s, e) in model.business.intervals() {
            for d in s.day()..=SimTime(e.secs() - 1).day() {
                if let Some(x) = is_business_day.get_mut((d - first_day) as usize) {
                    *x = true;
                }
            }
        }
        let mut prefix = Vec::with_capacity(days + 1);
        prefix.push(0);
        for (d, &b) in is_business_day.iter().enumerate() {
            prefix.push(prefix[d] + u32::from(b));
        }
        BusinessDays { first_day, prefix }
    }

    /// The start of the first day on which a ticket that arrived at `a` has waited more than
    /// `n` business days (in the sense of [`BusinessDays::after_until`]); `None` past the span.
    pub(super) fn escalation_time(&self, a: SimTime, n: u32) -> Option<SimTime> {
        let days = self.prefix.len() - 1;
        let from = ((a.day() - self.first_day).max(0) as usize + 1).min(days);
        let target = self.prefix[from] + n + 1;
        let j = self.prefix.partition_point(|&x| x < target);
        (j < self.prefix.len()).then(|| SimTime::day_start(self.first_day + j as i64 - 1))
    }

    /// Business days after the day of `a`, up to and including the day of `b`.
    fn after_until(&self, a: SimTime, b: SimTime) -> u32 {
        let days = self.prefix.len() - 1;
        let index = |t: SimTime| (((t.day() - self.first_day) as usize).min(days) + 1).min(days);
        self.prefix[index(b)].saturating_sub(self.prefix[index(a)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_second_within_agrees_with_comparing_hours() {
        for target in [
            0.0,
            1e-12,
            0.1,
            1.0 / 3.0,
            0.5,
            1.0,
            4.0,
            8.0,
            24.0,
            40.0,
            99.9,
            1234.5,
        ] {
            let last = last_second_within(target);
            for s in (last - 3).max(0)..last + 4 {
                assert_eq!(s <= last, hours(s) <= target + 1e-9, "{target} h, {s} s");
            }
        }
        assert_eq!(last_second_within(f64::INFINITY), i64::MAX);
    }

    #[test]
    fn bins_of_seconds_equal_bins_of_hours() {
        for secs in (0..=400_000)
            .chain((0..2_000).map(|k| k * 20_011))
            .chain([1 << 40])
        {
            assert_eq!(
                TimeHistogram::bin_of_secs(secs),
                TimeHistogram::bin(hours(secs)),
                "{secs} s"
            );
        }
    }

    #[test]
    fn histogram_bins_end_on_whole_tenths() {
        assert_eq!(TimeHistogram::bin(0.0), 0);
        assert_eq!(TimeHistogram::bin(0.05), 1);
        assert_eq!(TimeHistogram::bin(0.1), 1);
        assert_eq!(TimeHistogram::bin(0.1000001), 2);
        assert_eq!(TimeHistogram::bin(4.0), 40);
        assert_eq!(TimeHistogram::bin(1e9), TimeHistogram::BINS - 1);
        // Whole tenths up to a day are edges: an SLA target there splits no bin.
        for tenths in 1..=240u32 {
            let t = f64::from(tenths) / 10.0;
            assert_eq!(TimeHistogram::upper_h(TimeHistogram::bin(t)), t, "{t} h");
        }
    }

    #[test]
    fn coarse_bins_rise_and_hold_their_edges() {
        let mut last = 0.0;
        for i in 0..TimeHistogram::BINS {
            let edge = TimeHistogram::upper_h(i);
            assert!(edge > last || i == 0, "bin {i}: {edge} after {last}");
            if edge.is_finite() {
                let secs = (edge * HOUR as f64).round() as i64;
                assert_eq!(TimeHistogram::bin_of_secs(secs), i, "edge of bin {i}");
                assert_eq!(TimeHistogram::bin_of_secs(secs + 1), i + 1, "past bin {i}");
                assert_eq!(TimeHistogram::bin(edge), i, "edge of bin {i} in hours");
            }
            last = edge;
        }
        assert_eq!(TimeHistogram::upper_h(TimeHistogram::BINS - 2), 10_000.0);
        assert!(TimeHistogram::upper_h(TimeHistogram::BINS - 1).is_infinite());
    }

    #[test]
    fn catalog_matches_values() {
        assert_eq!(catalog().len(), Metrics::default().values().len());
        let mut names: Vec<_> = catalog().iter().map(|d| d.name.clone()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), catalog().len(), "metric names must be unique");
    }
}
