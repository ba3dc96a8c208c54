//! The checked, immutable model of a scenario: what the engine simulates.
//!
//! Only `scenario::validate` builds these types, after checking every value, so the engine
//! never sees unchecked input. Nothing here draws random numbers or changes during a run.
//! Units are in the field names (`_h` hours, `_days` days) or stated in the field docs.

use crate::calendar::{Calendar, WeeklyHours};
use crate::dist::Dist;
use crate::interval::IntervalSet;
use crate::time::SimTime;

/// Ticket priority. P1 is a business-wide or critical incident, P4 a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// Critical: business-wide outage or security incident.
    P1 = 0,
    /// High: a user cannot work.
    P2 = 1,
    /// Normal.
    P3 = 2,
    /// Low: a request.
    P4 = 3,
}

impl Priority {
    /// All priorities, most urgent first.
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];

    /// 0 for P1 … 3 for P4; smaller is more urgent.
    pub fn index(self) -> usize {
        self as usize
    }

    /// "P1" … "P4".
    pub fn label(self) -> &'static str {
        ["P1", "P2", "P3", "P4"][self as usize]
    }
}

/// A skill a ticket requires and a responder may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Skill {
    /// A trained key user can do it (swap hardware, printer cartridges, password reset).
    Basic = 0,
    /// A generalist administrator.
    Admin = 1,
    /// Security specialist.
    Security = 2,
    /// Network specialist.
    Network = 3,
    /// Server specialist.
    Server = 4,
    /// Cloud specialist.
    Cloud = 5,
}

impl Skill {
    /// All skills, in the order of their bits.
    pub const ALL: [Skill; 6] = [
        Skill::Basic,
        Skill::Admin,
        Skill::Security,
        Skill::Network,
        Skill::Server,
        Skill::Cloud,
    ];

    /// Scenario name of the skill.
    pub fn name(self) -> &'static str {
        ["basic", "admin", "security", "network", "server", "cloud"][self as usize]
    }
}

/// A set of skills (bit mask).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct SkillSet(u8);

impl SkillSet {
    /// Every skill: MSPs and emergency providers cover all areas.
    pub const ALL: SkillSet = SkillSet(0b11_1111);
    /// Only `basic`: a key user.
    pub const BASIC: SkillSet = SkillSet(0b1);

    /// The set of the given skills.
    pub fn of(skills: &[Skill]) -> SkillSet {
        SkillSet(skills.iter().fold(0, |m, s| m | 1 << *s as u8))
    }

    /// Both sets together.
    pub fn union(self, other: SkillSet) -> SkillSet {
        SkillSet(self.0 | other.0)
    }

    /// The set as a bit mask: bit `s` for skill `s`.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// Whether the set contains `skill`.
    pub fn has(self, skill: Skill) -> bool {
        self.0 & (1 << skill as u8) != 0
    }
}

/// When tickets of a category arrive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArrivalPattern {
    /// Poisson, only during the company's business hours (users report them).
    Business,
    /// Poisson at any time (hardware and servers fail at night too).
    Always,
    /// Exactly at these times, in every replication ("what if the server dies on 3 August?").
    /// `tickets_per_year` is ignored.
    Scheduled(Vec<SimTime>),
}

/// How many users a ticket stops from working.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UsersAffected {
    /// A fixed number of users.
    Count(u32),
    /// Every user of the company: a business-wide outage.
    All,
}

/// A ticket category (password reset, printer, server outage, …).
#[derive(Clone, Debug)]
pub struct Category {
    /// Stable id from the scenario; keys the category's random streams.
    pub id: String,
    /// Expected tickets per year for the whole company.
    pub tickets_per_year: f64,
    /// When tickets arrive.
    pub pattern: ArrivalPattern,
    /// Relative arrival intensity per weekday (index 0 = Monday) for `Business` arrivals;
    /// normalised so that the yearly expectation stays `tickets_per_year`.
    pub weekday_factors: [f64; 7],
    /// Relative arrival intensity per calendar month (index 0 = January), mean 1; the yearly
    /// expectation stays `tickets_per_year`. Seasonality measured by calibration.
    pub month_factors: [f64; 12],
    /// Priority of every ticket of this category.
    pub priority: Priority,
    /// Skill needed to work on it.
    pub skill: Skill,
    /// Probability that the ticket needs somebody on site.
    pub onsite_probability: f64,
    /// Hands-on effort at full productivity [hours].
    pub effort_h: Dist,
    /// Users stopped or slowed by the ticket.
    pub users_affected: UsersAffected,
    /// Share of an affected user's work lost while the ticket is open (0–1).
    pub productivity_loss: f64,
    /// Probability that solving it needs system knowledge (passwords, configurations, plans).
    pub knowledge_probability: f64,
}

/// Planned vacation of one person.
#[derive(Clone, Debug)]
pub struct VacationRule {
    /// Working days of vacation per calendar year, all of which are taken.
    pub days_per_year: u32,
    /// Length of the summer block [working days], placed in June–August; 0 for none.
    pub summer_block_days: u32,
    /// Length of the other blocks [working days]; the remainder goes into a last, shorter block.
    pub block_days: u32,
}

/// Illness episodes of one person: an alternating renewal process. Healthy spells are
/// exponential with rate `episodes_per_year` (per year of healthy time, modulated by the
/// winter peak); episode lengths follow `duration_days`.
#[derive(Clone, Debug)]
pub struct IllnessRule {
    /// Expected episodes per calendar year, counted as health insurers count them (episodes
    /// per insured year, ill time included). Onsets can only happen while healthy, so the
    /// engine draws them at [`IllnessRule::onset_rate_per_healthy_year`].
    pub episodes_per_year: f64,
    /// Episode length [calendar days].
    pub duration_days: Dist,
    /// Relative amplitude of the seasonal onset rate: rate × (1 + a·cos(2π(t − mid-January))).
    pub winter_amplitude: f64,
}

impl IllnessRule {
    /// Long-run share of calendar time spent ill: episodes per year × mean episode length.
    pub fn sick_share(&self) -> f64 {
        self.episodes_per_year * self.duration_days.mean() / 365.25
    }

    /// The onset rate while healthy that gives `episodes_per_year` per calendar year.
    ///
    /// Illness is an alternating renewal process: healthy spells with onset rate λ, then an
    /// episode of mean length D. Its cycles last 1/λ + D on average, so episodes per calendar
    /// year are r = 1/(1/λ + D), and λ = r / (1 − r·D). (The winter peak modulates λ around
    /// its mean; its interaction with the sick share is second order, below 0.1 % at the
    /// defaults.) Validation keeps r·D below one year.
    pub fn onset_rate_per_healthy_year(&self) -> f64 {
        let share = self.sick_share();
        if share >= 1.0 {
            return f64::INFINITY;
        }
        self.episodes_per_year / (1.0 - share)
    }
}

/// Resignations, vacancies and new hires of one position.
#[derive(Clone, Debug)]
pub struct AttritionRule {
    /// Probability that the holder of the position resigns within a year (constant hazard).
    pub quit_probability_per_year: f64,
    /// Notice period [calendar days]: the leaver still works.
    pub notice_days: f64,
    /// Time to fill the position, counted from the resignation [calendar days].
    pub time_to_fill_days: Dist,
    /// Ramp-up of a new hire [calendar days]: slower work, no system knowledge.
    pub rampup_days: f64,
    /// Productivity of a new hire on the first day (0–1), rising linearly to 1.
    pub rampup_start_productivity: f64,
}

/// Kinds of absence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbsenceKind {
    /// Vacation.
    Vacation,
    /// Illness.
    Sick,
    /// Training.
    Training,
}

/// An absence fixed in the scenario, in every replication, on top of the random ones
/// ("what if Anna is ill for the first three weeks of March?").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedAbsence {
    /// Start.
    pub from: SimTime,
    /// End (exclusive).
    pub to: SimTime,
    /// Counted as this kind in the people metrics.
    pub kind: AbsenceKind,
}

/// Everything that takes one person away from work.
#[derive(Clone, Debug)]
pub struct AbsenceProfile {
    /// Planned vacation.
    pub vacation: VacationRule,
    /// Illness.
    pub illness: IllnessRule,
    /// Attrition of the position.
    pub attrition: AttritionRule,
    /// Training days per year, taken as single days at random working days.
    pub training_days_per_year: u32,
    /// Share of working time spent in meetings and other non-ticket work (0–1): slows work.
    pub meeting_share: f64,
    /// Absences fixed in the scenario.
    pub planned: Vec<PlannedAbsence>,
}

/// What a person is in the support setup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// In-house administrator.
    Admin,
    /// Employee with another main job who takes `basic` tickets.
    KeyUser,
    /// Technician of an MSP.
    Technician,
}

/// What an in-house person costs. Defaults: calibration §4 (in-house IT administrator).
#[derive(Clone, Debug, PartialEq)]
pub struct PersonCost {
    /// Gross salary [€/year].
    pub salary_eur_per_year: f64,
    /// Tools, training, workplace [€/year].
    pub overhead_eur_per_year: f64,
    /// Cost of replacing the person after a resignation, as a share of the gross salary.
    pub recruiting_share_of_salary: f64,
}

impl Default for PersonCost {
    fn default() -> Self {
        // Calibration §4: 64,000 € gross (Entgeltatlas 2024), +10 k€ overhead (E),
        // replacement cost 1.0 × salary (E within 0.5-2.0).
        PersonCost {
            salary_eur_per_year: 64_000.0,
            overhead_eur_per_year: 10_000.0,
            recruiting_share_of_salary: 1.0,
        }
    }
}

/// A person who can work on tickets.
#[derive(Clone, Debug)]
pub struct Person {
    /// Stable id; keys the person's absence streams (common random numbers across setups).
    pub id: String,
    /// Role.
    pub role: Role,
    /// Skills.
    pub skills: SkillSet,
    /// Working hours (they observe the company's holidays).
    pub hours: WeeklyHours,
    /// Absences.
    pub absence: AbsenceProfile,
    /// Key users: the share of their working time they may spend on IT tickets each week (0–1).
    /// 1 for everybody else.
    pub it_share: f64,
    /// What the person costs (in-house people; ignored for MSP technicians).
    pub cost: PersonCost,
}

/// The prices of an MSP contract. Defaults: calibration §4.
#[derive(Clone, Debug, PartialEq)]
pub struct MspPrice {
    /// Managed-service fee [€ per PC and month].
    pub fee_eur_per_pc_month: f64,
    /// Hours included in the fee per month; `None` for a flat rate without limit.
    pub included_hours_per_month: Option<f64>,
    /// Rate for hours beyond the included ones [€/h].
    pub hourly_rate_eur: f64,
    /// Fee per on-site visit (travel) [€].
    pub onsite_visit_eur: f64,
    /// Extra fee for the 24x7 P1 option [€/month] (only with `p1_always`).
    pub p1_24x7_eur_per_month: f64,
    /// Surcharge on the hourly rate for work outside the coverage window (P1 on-call), as a share.
    pub after_hours_surcharge: f64,
    /// Credit per P1 or P2 ticket resolved later than its target [€].
    pub sla_credit_eur_per_breach: f64,
    /// Cap of the SLA credits as a share of the yearly fee.
    pub sla_credit_cap_share: f64,
}

impl Default for MspPrice {
    fn default() -> Self {
        // Calibration §4: 60 €/PC/month (E from published price lists), 95 €/h (Synaxon, older,
        // inflation-adjusted E), +100 % for nights and weekends (ratiosys).
        MspPrice {
            fee_eur_per_pc_month: 60.0,
            included_hours_per_month: None,
            hourly_rate_eur: 95.0,
            onsite_visit_eur: 0.0,
            p1_24x7_eur_per_month: 0.0,
            after_hours_surcharge: 1.0,
            sla_credit_eur_per_breach: 0.0,
            sla_credit_cap_share: 0.0,
        }
    }
}

/// A managed service provider contract.
#[derive(Clone, Debug)]
pub struct MspContract {
    /// Stable id.
    pub id: String,
    /// The technicians of the pool (they serve other clients too).
    pub technicians: Vec<Person>,
    /// When the MSP works on tickets.
    pub coverage: WeeklyHours,
    /// Whether the coverage window observes public holidays.
    pub coverage_observes_holidays: bool,
    /// P1 tickets are also worked outside the coverage window (24x7 on-call for P1).
    pub p1_always: bool,
    /// Response targets per priority [business hours].
    pub response_h: [f64; 4],
    /// Resolution targets per priority [business hours].
    pub resolution_h: [f64; 4],
    /// One-way travel time for on-site work [hours].
    pub travel_h: Dist,
    /// PCs of the MSP's other clients whose tickets share the pool.
    pub other_clients_pcs: u32,
    /// The technicians' utilisation from which `other_clients_pcs` was derived (see
    /// `scenario::msp_load`); `None` when the scenario gives `other_clients_pcs`.
    pub target_utilisation: Option<f64>,
    /// Documentation quality the contract guarantees (0–1).
    pub documentation_quality: f64,
    /// Prices.
    pub price: MspPrice,
}

impl MspContract {
    /// The entity that keys the absence streams of the `k`-th technician (from 0) of a pool.
    /// It names the place in the pool, not the contract, so that every contract's k-th
    /// technician has the same illnesses, vacations and resignations in a replication: bronze,
    /// silver and gold then differ only by what the contracts say (common random numbers).
    /// `#` cannot occur in a person id, so no company person shares these streams.
    pub fn technician_stream_entity(k: usize) -> String {
        format!("msp-technician#{}", k + 1)
    }
}

/// Ad-hoc emergency help: what a company without a contract does when its admin is away.
#[derive(Clone, Debug)]
pub struct EmergencyHelp {
    /// Priorities for which help is called.
    pub priorities: [bool; 4],
    /// Time to find a provider and get them working [hours].
    pub search_delay_h: Dist,
    /// Hours in which the provider works.
    pub hours: WeeklyHours,
    /// Hourly rate [€/h] (for the cost model).
    pub hourly_rate: f64,
    /// Call-out fee per engagement [€] (for the cost model).
    pub callout_fee: f64,
    /// Escalation: per priority not in `priorities`, the business days a ticket may wait
    /// before emergency help takes it too, if nobody of an earlier tier is present then or
    /// later (`None`: never). No company lets a printer ticket wait for months.
    pub escalate_after_business_days: [Option<u32>; 4],
    /// Interim cover of an in-house admin's long illness or vacancy, if the company engages it.
    pub interim: Option<Box<InterimCover>>,
}

/// A temporary admin (or a break-fix MSP on a time contract) whom the company engages when an
/// in-house admin's illness or vacancy lasts long: after `after_days` of absence it searches,
/// and after the search the interim works the admin's hours, with the admin's skills but
/// without their system knowledge, until the admin is back or the post is filled.
#[derive(Clone, Debug)]
pub struct InterimCover {
    /// Days of continuous illness or vacancy before the company starts searching [calendar days].
    pub after_days: f64,
    /// Time to find and start an interim [calendar days].
    pub search_days: Dist,
    /// Price per day on which the interim works [€].
    pub day_rate: f64,
}

/// One level of a setup's routing. A ticket goes to the first tier with a qualified
/// responder on duty (see `engine::dispatch`).
#[derive(Clone, Debug)]
pub enum Tier {
    /// In-house people (admins, coordinators), indexes into `Model::people`.
    InHouse(Vec<usize>),
    /// A key user (index into `Model::people`): `basic` tickets only, triages first.
    KeyUser(usize),
    /// An MSP contract (index into `Model::contracts`).
    Msp(usize),
    /// Ad-hoc emergency help, called only when no earlier tier has anybody present.
    Emergency(Box<EmergencyHelp>),
}

/// Service-level targets against which response and resolution are measured.
#[derive(Clone, Debug)]
pub struct SlaTargets {
    /// Response target per priority [business hours].
    pub response_h: [f64; 4],
    /// Resolution target per priority [business hours].
    pub resolution_h: [f64; 4],
}

/// A support setup: responders, routing and knowledge.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Name shown in tables and charts.
    pub name: String,
    /// The preset it came from (`single-admin`, `multi-admin`, `msp`, `hybrid`, `custom`).
    pub preset: String,
    /// Routing tiers, in the order tickets are offered to them.
    pub tiers: Vec<Tier>,
    /// Documentation quality (0–1): the chance that missing system knowledge costs nothing.
    pub documentation_quality: f64,
    /// Extra effort when system knowledge is missing [hours].
    pub knowledge_penalty_h: Dist,
    /// In-house people of this setup do not plan overlapping vacations.
    pub vacation_no_overlap: bool,
    /// Targets for response and resolution.
    pub sla: SlaTargets,
}

impl Setup {
    /// The setup's emergency help, if it has an emergency tier.
    pub fn emergency_help(&self) -> Option<&EmergencyHelp> {
        self.tiers.iter().find_map(|t| match t {
            Tier::Emergency(help) => Some(&**help),
            _ => None,
        })
    }
}

/// At most this many replications per run (per setup, per point of a sweep): the limit of the
/// scenario's `simulation.replications` and of `--reps`. Ten million already keep about 7 GB
/// of per-replication values per setup (see [`crate::budget`]).
pub const MAX_REPLICATIONS: u64 = 10_000_000;

/// Simulation settings.
#[derive(Clone, Debug)]
pub struct SimSettings {
    /// Default number of replications.
    pub replications: u64,
    /// Master seed.
    pub seed: u64,
    /// Warm-up before the measured window [days]; its tickets load the queues but are not measured.
    pub warmup_days: u32,
    /// Measured years.
    pub years: u32,
    /// After the window, arrivals continue (unmeasured) for up to this many days so that the
    /// tickets of the window can be resolved and measured.
    pub drain_days: u32,
    /// Tickets older than this many business days count as aged.
    pub aged_after_business_days: u32,
}

/// How results are reported.
#[derive(Clone, Debug, Default)]
pub struct ReportSettings {
    /// Index of the setup the others are compared with (paired differences).
    pub baseline: usize,
    /// Exceedance thresholds: `(metric name from engine::catalog, thresholds)`; reported as
    /// P(metric > threshold) per setup.
    pub thresholds: Vec<(String, Vec<f64>)>,
    /// Language of charts and report (`"en"` or `"de"`), unless the command line says otherwise.
    pub lang: Option<String>,
    /// The stated target the client wants met ("P95 of outage hours at most 24"); the results
    /// then name the cheapest setup that meets it.
    pub target: Option<Target>,
}

/// A stated target for one metric: a statistic of the metric across simulated years, bounded
/// from above (less is better, e.g. user-hours lost) or from below (more is better, e.g.
/// coverage). The statistic is taken as `summary.csv` gives it, so a target reads the same in
/// every output.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// Metric name from `engine::catalog`.
    pub metric: String,
    /// Which statistic of the metric's distribution across simulated years is bounded.
    pub stat: TargetStat,
    /// The bound, in the metric's unit.
    pub bound: TargetBound,
}

/// The statistic a [`Target`] bounds: the mean, or a percentile across simulated years (one of
/// the percentiles of `summary.csv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetStat {
    /// The mean over the simulated years.
    Mean,
    /// The given percentile (5, 50, 90, 95 or 99) over the simulated years: P95 is the value
    /// that one year in twenty exceeds.
    Percentile(u8),
}

impl TargetStat {
    /// Percentiles a target may use: those `summary.csv` has.
    pub const PERCENTILES: [u8; 5] = [5, 50, 90, 95, 99];

    /// Parses `"mean"` or `"pNN"` with NN one of [`TargetStat::PERCENTILES`] (case-insensitive).
    pub fn parse(s: &str) -> Option<TargetStat> {
        let s = s.trim().to_ascii_lowercase();
        if s == "mean" {
            return Some(TargetStat::Mean);
        }
        let n: u8 = s.strip_prefix('p')?.parse().ok()?;
        Self::PERCENTILES
            .contains(&n)
            .then_some(TargetStat::Percentile(n))
    }

    /// The name as written in a scenario and as a `summary.csv` column: `mean`, `p95`.
    pub fn key(self) -> String {
        match self {
            TargetStat::Mean => "mean".to_owned(),
            TargetStat::Percentile(n) => format!("p{n}"),
        }
    }
}

/// The bound of a [`Target`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TargetBound {
    /// The statistic must be at most this (less is better).
    Max(f64),
    /// The statistic must be at least this (more is better).
    Min(f64),
}

impl Target {
    /// Whether `value` (the target's statistic of a setup) meets the target; a missing value
    /// (NaN: the metric had no value in any year) does not.
    pub fn met_by(&self, value: f64) -> bool {
        match self.bound {
            TargetBound::Max(x) => value <= x,
            TargetBound::Min(x) => value >= x,
        }
    }
}

/// Company-wide cost settings. Defaults: calibration §4 and §8.
#[derive(Clone, Debug, PartialEq)]
pub struct CostSettings {
    /// Employer social contributions as a share of gross salary.
    pub employer_contribution_share: f64,
    /// Continued pay during one illness [calendar days]; beyond it statutory sick pay applies.
    pub sick_pay_days: f64,
    /// Cost of one lost user-hour [€] (user-hours lost already carry the productivity loss).
    pub downtime_eur_per_user_hour: f64,
    /// Extra cost of one business hour of company-wide outage [€] (lost orders, penalties).
    pub outage_eur_per_hour: f64,
}

impl Default for CostSettings {
    fn default() -> Self {
        // §4: employer contributions ≈21 % (GTAI); EFZG: 6 weeks of continued pay;
        // §8: 40 € per affected user-hour (Techconsult/HP, D); no extra outage cost (E).
        CostSettings {
            employer_contribution_share: 0.21,
            sick_pay_days: 42.0,
            downtime_eur_per_user_hour: 40.0,
            outage_eur_per_hour: 0.0,
        }
    }
}

/// The company whose support is simulated.
#[derive(Clone, Debug)]
pub struct Company {
    /// Number of PCs.
    pub pcs: u32,
    /// Number of users.
    pub users: u32,
    /// Business hours of the users.
    pub hours: WeeklyHours,
    /// Cost settings.
    pub cost: CostSettings,
}

/// A checked scenario.
#[derive(Clone, Debug)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// The company.
    pub company: Company,
    /// Calendar spanning warm-up, window and drain, with the holidays.
    pub calendar: Calendar,
    /// The company's business hours over the whole simulated span.
    pub business: IntervalSet,
    /// Ticket categories.
    pub categories: Vec<Category>,
    /// In-house people (admins, key users) referenced by the setups.
    pub people: Vec<Person>,
    /// MSP contracts referenced by the setups.
    pub contracts: Vec<MspContract>,
    /// Setups to compare; the first is the baseline.
    pub setups: Vec<Setup>,
    /// Simulation settings.
    pub sim: SimSettings,
    /// Reporting settings.
    pub report: ReportSettings,
}

impl Model {
    /// Start of the simulation (start of the warm-up).
    pub fn start(&self) -> SimTime {
        self.calendar.from()
    }

    /// End of the measured window (start is `SimTime::ZERO`).
    pub fn window_end(&self) -> SimTime {
        SimTime::day_start(crate::calendar::days_in_years(
            self.calendar.first_year(),
            self.sim.years,
        ))
    }

    /// End of the simulation (end of the drain).
    pub fn end(&self) -> SimTime {
        self.calendar.to()
    }
}
