//! Absences of one person in one replication: vacation, illness, training and attrition.
//!
//! Each process draws from its own stream keyed by the person's id, so a person's illness in
//! replication `k` is the same in every setup they appear in (common random numbers), and
//! adding a person to a setup does not change anybody else's absences. The one deliberate
//! dependency is vacation coordination: with a no-overlap rule, a person plans around the
//! vacations of the people listed before them, so the first person plans exactly as alone.

use std::collections::BTreeSet;

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use crate::calendar::Calendar;
use crate::interval::IntervalSet;
use crate::model::{AbsenceKind, AbsenceProfile, Person};
use crate::rng::{self, Purpose};
use crate::time::{DAY, MAX_DURATION_S, SimTime};

/// Seconds in a mean calendar year; rates "per year" are per this span.
pub const YEAR_S: f64 = 365.25 * DAY as f64;

/// Everything that happens to one person (or position) in one replication.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// Working time while not absent: when the person can work on tickets.
    pub duty: IntervalSet,
    /// Union of all absences.
    pub absent: IntervalSet,
    /// Vacation blocks (whole days, weekends inside a block included).
    pub vacation: IntervalSet,
    /// Illness episodes.
    pub sick: IntervalSet,
    /// Training days.
    pub training: IntervalSet,
    /// Periods in which the position is vacant.
    pub vacancy: IntervalSet,
    /// Ramp-up periods of new hires: `(hire, end of ramp-up)`.
    pub rampups: Vec<(SimTime, SimTime)>,
    /// Resignation times.
    pub resignations: Vec<SimTime>,
    /// Drawn times to fill the position [days], one per resignation.
    pub time_to_fill_days: Vec<f64>,
    /// Working days of vacation taken per calendar year (year, days).
    pub vacation_days_by_year: Vec<(i32, u32)>,
    start_productivity: f64,
}

impl Timeline {
    /// A timeline without absences (textbook servers, on-call duty, emergency helpers).
    pub fn always_present(working: IntervalSet) -> Timeline {
        Timeline {
            duty: working,
            start_productivity: 1.0,
            ..Timeline::default()
        }
    }

    /// A responder who is there only during `duty` and counts as absent during `absent`
    /// (interim cover: absent outside its engagements), at full productivity.
    pub fn engaged(duty: IntervalSet, absent: IntervalSet) -> Timeline {
        Timeline {
            duty,
            absent,
            start_productivity: 1.0,
            ..Timeline::default()
        }
    }

    /// Productivity at `t` (1 except during a new hire's ramp-up, where it rises linearly).
    pub fn productivity(&self, t: SimTime) -> f64 {
        for &(a, b) in &self.rampups {
            if a <= t && t < b {
                let f = (t - a) as f64 / (b - a) as f64;
                return self.start_productivity + (1.0 - self.start_productivity) * f;
            }
        }
        1.0
    }

    /// Whether the person knows the company's systems at `t` (not a new hire in ramp-up).
    pub fn knows_systems(&self, t: SimTime) -> bool {
        !self.rampups.iter().any(|&(a, b)| a <= t && t < b)
    }
}

/// The days on which a person can take vacation and training, per calendar year: the working
/// days of the whole calendar years that the simulated span touches. Replication-independent,
/// so computed once per model ([`PlanningDays::new`]).
///
/// Vacation and training are planned per calendar year, so the warm-up's and the drain's years
/// must be planned in full: planning 30 vacation days into the few weeks of a warm-up would put
/// everybody on vacation then. Inside the span the days come from the person's actual schedule;
/// outside it from their weekly hours and the public holidays.
#[derive(Clone, Debug)]
pub struct PlanningDays {
    /// The person's working time over the span.
    working: IntervalSet,
    years: Vec<PlanningYear>,
}

#[derive(Clone, Debug)]
struct PlanningYear {
    year: i32,
    /// Working days of the year, ascending (day indexes).
    days: Vec<i64>,
    /// Indexes into `days` of the summer days (15 June to 31 August), ascending.
    summer: Vec<usize>,
}

impl PlanningDays {
    /// The person's working time over the span (absences not subtracted).
    pub fn working(&self) -> &IntervalSet {
        &self.working
    }

    /// The planning days of `person`, whose working time over the span is `working`.
    pub fn new(working: &IntervalSet, calendar: &Calendar, person: &Person) -> PlanningDays {
        use chrono::Datelike;
        let (start, end) = (
            calendar.from().day(),
            SimTime(calendar.to().secs() - 1).day(),
        );
        let year_start = |y: i32| {
            calendar.day_of_date(chrono::NaiveDate::from_ymd_opt(y, 1, 1).expect("valid date"))
        };
        let (first_year, last_year) = (
            calendar.date_of_day(start).year(),
            calendar.date_of_day(end).year(),
        );
        let (first, last) = (year_start(first_year), year_start(last_year + 1) - 1);
        let mut days: BTreeSet<i64> = (first..start)
            .chain(end + 1..=last)
            .filter(|&d| person.hours.is_open(calendar.weekday_index(d)) && !calendar.is_holiday(d))
            .collect();
        for (s, e) in working.intervals() {
            // An interval ending exactly at midnight does not touch the next day.
            days.extend(s.day()..=SimTime(e.secs() - 1).day());
        }
        let years = (first_year..=last_year)
            .map(|year| {
                let days: Vec<i64> = days
                    .range(year_start(year)..year_start(year + 1))
                    .copied()
                    .collect();
                let summer = (0..days.len())
                    .filter(|&i| {
                        let date = calendar.date_of_day(days[i]);
                        (date.month() == 6 && date.day() >= 15)
                            || date.month() == 7
                            || date.month() == 8
                    })
                    .collect();
                PlanningYear { year, days, summer }
            })
            .collect();
        PlanningDays {
            working: working.clone(),
            years,
        }
    }
}

/// A set of day indexes, as a bitmap: vacation days taken by a person or a team.
#[derive(Clone, Debug, Default)]
pub struct DaySet {
    first: i64,
    taken: Vec<bool>,
    len: usize,
}

impl DaySet {
    /// Whether `day` is in the set.
    pub fn contains(&self, day: i64) -> bool {
        usize::try_from(day - self.first)
            .ok()
            .and_then(|i| self.taken.get(i))
            .copied()
            .unwrap_or(false)
    }

    /// Adds `day`.
    pub fn insert(&mut self, day: i64) {
        if self.taken.is_empty() {
            self.first = day;
        }
        if day < self.first {
            let grow = (self.first - day) as usize;
            self.taken.splice(0..0, std::iter::repeat_n(false, grow));
            self.first = day;
        }
        let i = (day - self.first) as usize;
        if i >= self.taken.len() {
            self.taken.resize(i + 1, false);
        }
        if !self.taken[i] {
            self.taken[i] = true;
            self.len += 1;
        }
    }

    /// Adds every day of `other`.
    pub fn extend(&mut self, other: &DaySet) {
        for (i, &t) in other.taken.iter().enumerate() {
            if t {
                self.insert(other.first + i as i64);
            }
        }
    }

    /// Number of days in the set.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Plans one calendar year's vacation blocks. `taken` holds days already taken by the team
/// (honoured when `no_overlap`); the person's own days are added to it.
fn plan_vacation_year(
    rng: &mut rng::SimRng,
    year: &PlanningYear,
    profile: &AbsenceProfile,
    team_taken: &DaySet,
    no_overlap: bool,
    own: &mut DaySet,
) -> Vec<(i64, i64)> {
    let year_days = &year.days[..];
    let v = &profile.vacation;
    let mut sizes = Vec::new();
    let mut left = v.days_per_year.min(year_days.len() as u32);
    if v.summer_block_days > 0 && left > 0 {
        let n = v.summer_block_days.min(left);
        sizes.push((n, true));
        left -= n;
    }
    let block = v.block_days.max(1);
    while left > 0 {
        let n = block.min(left);
        sizes.push((n, false));
        left -= n;
    }
    let mut blocks = Vec::new();
    for (n, summer) in sizes {
        let n = n as usize;
        let last_start = year_days.len() - n;
        // Candidate starts: summer days for the summer block (if the year has any that leave
        // room for the block), else every day.
        let summer_starts = &year.summer[..year.summer.partition_point(|&i| i <= last_start)];
        let candidates = if summer && !summer_starts.is_empty() {
            summer_starts.len()
        } else {
            last_start + 1
        };
        let candidate = |j: usize| {
            if summer && !summer_starts.is_empty() {
                summer_starts[j]
            } else {
                j
            }
        };
        let free = |i: usize, respect_team: bool, own: &DaySet| {
            year_days[i..i + n]
                .iter()
                .all(|&d| !(own.contains(d) || respect_team && team_taken.contains(d)))
        };
        // Random placement with retries; a team's no-overlap rule is dropped only when no
        // free slot is found (then the overlap is real and shows up in the coverage metrics).
        let mut chosen = None;
        for respect_team in [no_overlap, false] {
            for _ in 0..200 {
                let i = candidate(rng.random_range(0..candidates));
                if free(i, respect_team, own) {
                    chosen = Some(i);
                    break;
                }
            }
            if chosen.is_some() {
                break;
            }
        }
        let i = chosen.or_else(|| (0..=last_start).find(|&i| free(i, false, own)));
        if let Some(i) = i {
            for &d in &year_days[i..i + n] {
                own.insert(d);
            }
            blocks.push((year_days[i], year_days[i + n - 1]));
        }
    }
    blocks
}

/// How long before the simulated span a person's illness and attrition processes start, so
/// that the span begins in their stationary state [s].
///
/// The state at the start is that of the stationary process once the run-in is longer than
/// the longest episode that can still be running (an illness, or notice plus vacancy plus
/// ramp-up) and than the time the in-post probability needs to settle (about one such cycle).
/// Ten years, or ten times the mean vacancy cycle or twenty times the mean illness if those
/// are longer, leaves a bias far below any CI (tails of the defaults: P(illness > 1 year) and
/// P(time to fill > 10 years) are below 1e-4). Capped at 50 years: the processes are cheap
/// (about one draw per episode), but not free. Rejected: drawing the start state from the
/// renewal-theory equilibrium (length-biased residual lifetimes): exact, but it needs the
/// length-biased law of every duration distribution, and with the winter peak it is not
/// stationary in calendar time anyway.
fn burn_in_s(profile: &AbsenceProfile) -> f64 {
    let at = &profile.attrition;
    let cycle_days = if at.quit_probability_per_year > 0.0 {
        at.notice_days + at.time_to_fill_days.mean() + at.rampup_days
    } else {
        0.0
    };
    let ill = &profile.illness;
    let illness_days = if ill.episodes_per_year > 0.0 {
        ill.duration_days.mean()
    } else {
        0.0
    };
    let days = (10.0 * 365.25f64)
        .max(10.0 * cycle_days)
        .max(20.0 * illness_days)
        .min(50.0 * 365.25);
    days * DAY as f64
}

/// Draws the timeline of `person` in `replication`. `entity` keys the person's absence
/// streams (their id for the company's people, their place in the pool for MSP technicians);
/// `planning` holds their working time and [`PlanningDays`]; `team_vacation` the vacation days
/// of the people planned before them in the same team (extended with this person's days).
#[allow(clippy::too_many_arguments)]
pub fn timeline(
    seed: u64,
    replication: u64,
    calendar: &Calendar,
    person: &Person,
    entity: &str,
    planning: &PlanningDays,
    team_vacation: &mut DaySet,
    no_overlap: bool,
) -> Timeline {
    let profile = &person.absence;
    let (start, end) = (calendar.from(), calendar.to());

    // Vacation, planned per calendar year.
    let mut vac_rng = rng::stream(seed, replication, Purpose::Vacation, entity);
    let mut own = DaySet::default();
    let mut vacation = Vec::new();
    let mut vacation_days_by_year = Vec::new();
    for year in &planning.years {
        if year.days.is_empty() || profile.vacation.days_per_year == 0 {
            continue;
        }
        let before = own.len();
        for (a, b) in plan_vacation_year(
            &mut vac_rng,
            year,
            profile,
            team_vacation,
            no_overlap,
            &mut own,
        ) {
            vacation.push((SimTime::day_start(a), SimTime::day_start(b + 1)));
        }
        vacation_days_by_year.push((year.year, (own.len() - before) as u32));
    }
    team_vacation.extend(&own);

    // Training days: single working days that are not vacation.
    let mut tr_rng = rng::stream(seed, replication, Purpose::Training, entity);
    let mut training = Vec::new();
    if profile.training_days_per_year > 0 {
        for year in &planning.years {
            let year_days: Vec<i64> = year
                .days
                .iter()
                .filter(|&&d| !own.contains(d))
                .copied()
                .collect();
            let mut picked = BTreeSet::new();
            let want = (profile.training_days_per_year as usize).min(year_days.len());
            while picked.len() < want {
                picked.insert(year_days[tr_rng.random_range(0..year_days.len())]);
            }
            training.extend(
                picked
                    .into_iter()
                    .map(|d| (SimTime::day_start(d), SimTime::day_start(d + 1))),
            );
        }
    }

    // Illness and attrition run from `burn_in` before the span, so the span starts in their
    // stationary state: somebody may be ill since last month or their post vacant since last
    // autumn. Their intervals are clipped to the span; events before it are not reported.
    let burn_in = burn_in_s(profile);
    let origin = start.secs() as f64 - burn_in;

    // Illness: alternating renewal; onsets while healthy, thinned for the winter peak.
    let mut ill_rng = rng::stream(seed, replication, Purpose::Illness, entity);
    let ill = &profile.illness;
    let mut sick = Vec::new();
    if ill.episodes_per_year > 0.0 {
        let a = ill.winter_amplitude;
        let max_rate = ill.onset_rate_per_healthy_year() * (1.0 + a) / YEAR_S;
        let mut t = origin;
        loop {
            let gap: f64 = Exp1.sample(&mut ill_rng);
            t += gap / max_rate;
            if t >= end.secs() as f64 {
                break;
            }
            let u: f64 = ill_rng.random();
            let phase = 2.0 * std::f64::consts::PI * (t - 15.0 * DAY as f64) / YEAR_S;
            if u * (1.0 + a) >= 1.0 + a * phase.cos() {
                continue;
            }
            let len =
                (ill.duration_days.sample(&mut ill_rng) * DAY as f64).min(MAX_DURATION_S as f64);
            let s = SimTime(t.round() as i64).max(start);
            let e = SimTime((t + len).round() as i64);
            if e > s {
                sick.push((s, e));
            }
            t += len;
        }
    }

    // Attrition: resignation (constant hazard), notice, vacancy, new hire with ramp-up.
    let mut at_rng = rng::stream(seed, replication, Purpose::Attrition, entity);
    let at = &profile.attrition;
    let mut vacancy = Vec::new();
    let mut rampups = Vec::new();
    let mut resignations = Vec::new();
    let mut time_to_fill_days = Vec::new();
    if at.quit_probability_per_year > 0.0 {
        let hazard = -(1.0 - at.quit_probability_per_year).ln() / YEAR_S;
        let mut t = origin;
        loop {
            let gap: f64 = Exp1.sample(&mut at_rng);
            t += gap / hazard;
            if t >= end.secs() as f64 {
                break;
            }
            let ttf = at
                .time_to_fill_days
                .sample(&mut at_rng)
                .min((MAX_DURATION_S / DAY) as f64);
            let notice = at.notice_days * DAY as f64;
            let hire = t + notice.max(ttf * DAY as f64);
            if t >= start.secs() as f64 {
                resignations.push(SimTime(t.round() as i64));
                time_to_fill_days.push(ttf);
            }
            let vacant_from = SimTime((t + notice).round() as i64).max(start);
            if SimTime(hire.round() as i64) > vacant_from {
                vacancy.push((vacant_from, SimTime(hire.round() as i64)));
            }
            let ramp_end = hire + at.rampup_days * DAY as f64;
            // A ramp-up that ends before the span is over; one running into it is kept whole,
            // since productivity rises along it from the hire.
            if ramp_end > hire && ramp_end > start.secs() as f64 {
                rampups.push((
                    SimTime(hire.round() as i64),
                    SimTime(ramp_end.round() as i64),
                ));
            }
            t = hire;
        }
    }

    for a in &profile.planned {
        match a.kind {
            AbsenceKind::Vacation => vacation.push((a.from, a.to)),
            AbsenceKind::Sick => sick.push((a.from, a.to)),
            AbsenceKind::Training => training.push((a.from, a.to)),
        }
    }
    let vacation = IntervalSet::from_intervals(vacation);
    let sick = IntervalSet::from_intervals(sick);
    let training = IntervalSet::from_intervals(training);
    let vacancy = IntervalSet::from_intervals(vacancy);
    let absent = vacation.union(&sick).union(&training).union(&vacancy);
    Timeline {
        duty: planning.working.subtract(&absent),
        absent,
        vacation,
        sick,
        training,
        vacancy,
        rampups,
        resignations,
        time_to_fill_days,
        vacation_days_by_year,
        start_productivity: at.rampup_start_productivity,
    }
}
