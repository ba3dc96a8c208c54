//! One replication: a discrete-event simulation of one company, one setup, one horizon.
//!
//! Where things live:
//! - [`arrivals`]: ticket arrivals (exact Poisson processes) and their attributes;
//! - [`people`]: absences (vacation, illness, training, attrition) as interval sets;
//! - this module: responders, the event loop and dispatch;
//! - [`metrics`]: everything measured, computed from the finished run.
//!
//! The engine is a pure function of `(model, setup, replication)`: it reads the checked model,
//! creates its random streams from the replication index, and touches no files or globals.
//!
//! # Dispatch rules (every ordering decision in one place)
//! 1. *Waiting order*: waiting tickets are ordered by `(priority, arrival time, ticket id)`,
//!    smaller first: P1 before P2 before P3 before P4, FIFO within a priority, the id (arrival
//!    order, own tickets before other clients' at equal times) breaking ties.
//! 2. *Tiers*: a ticket of the company belongs to the first tier (in the setup's order) that
//!    has a responder *available* — on duty, with the skill, with weekly IT budget left, and
//!    for P1-only on-call duty, only for P1 tickets. Only that tier's responders take it: a busy
//!    admin who is there is waited for rather than bypassed. A ticket of an MSP's other client
//!    goes only to that contract's technicians.
//! 3. *Picking*: idle available responders, in the setup's responder order, each take the first
//!    waiting ticket (in waiting order) they may take.
//! 4. *P1 interrupts*: a P1 that is still waiting interrupts the eligible responder working on
//!    the least urgent non-P1 ticket (ties: the most recently started session, then the
//!    highest responder index).
//! 5. *Preemptive resume*: a session ends at completion, at the end of the responder's duty
//!    interval (end of shift, start of an absence), when a key user's weekly IT budget is spent,
//!    or on a P1 interrupt. The budget renews on Monday 00:00; a session counts against the
//!    week it ends in only with its part in that week. An unfinished ticket keeps its remaining
//!    work and re-enters the waiting order in its original place; any eligible responder may
//!    continue it. On-site work by a remote responder (MSP) starts each session with travel;
//!    the technician travels back after finishing.
//! 6. *Knowledge*: at a ticket's first session, if it needs system knowledge and the worker does
//!    not hold it (everybody but in-house admins past their ramp-up), the ticket's effort grows
//!    by the setup's knowledge penalty with probability 1 − documentation quality.
//! 7. *Emergency help*: a waiting ticket of a priority the setup's emergency help covers, for
//!    which no responder of an earlier tier with the skill is *present* (not absent: an admin
//!    off work for the night is present, one on vacation, ill or vacant is not), triggers a
//!    search; after the search delay a provider is dedicated to the ticket if it is still
//!    waiting, and works it within the provider's hours until it is resolved.
//! 8. *Escalation*: a ticket of a priority help is not called for at once becomes one it is
//!    called for (rule 7) once it has waited its priority's `escalate_after_business_days`
//!    (at the start of the business day after that many business days since its arrival day,
//!    the aging rule of the metrics). Escalation times are monotone in arrival order, so one
//!    pending event walks a precomputed list.
//! 9. *Interim cover*: in a setup whose only IT is one in-house admin (no second admin, no
//!    MSP), when the admin's illness or vacancy lasts longer than the help's
//!    `interim_after_days`, an interim responder joins the admin's tier after a search delay,
//!    with the admin's hours and skills but without system knowledge, until the stretch ends.
//!    It is precomputed from the admin's timeline (no events), so it is the same in every
//!    setup that engages interims for that person.

pub mod arrivals;
pub mod cost;
mod metrics;
pub mod people;
mod queue;
mod waiting;

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

pub use cost::Costs;
pub use metrics::{
    Daily, EpisodeHistogram, MetricDef, Metrics, TimeHistogram, TimeStats, catalog, renamed_metric,
};

use crate::interval::IntervalSet;
use crate::model::{Model, MspContract, Priority, Role, Skill, SkillSet, Tier};
use crate::rng::{self, Purpose};
use crate::time::{SimTime, ceil_i64, secs_from_hours};
use arrivals::{Client, Ticket};
use people::Timeline;
use queue::{ARRIVAL_CLASS, Event, EventQueue};
use waiting::{WaitKey, WaitQueue};

/// What one replication of one setup produced.
#[derive(Clone, Debug)]
pub struct ReplicationResult {
    /// Replication index.
    pub replication: u64,
    /// Per-replication metrics (per year where the metric is a count or a duration).
    pub metrics: Metrics,
    /// One entry per day of the measured window.
    pub daily: Vec<Daily>,
    /// Response and resolution times of the window's tickets, binned (see [`TimeHistogram`]).
    pub times: TimeHistogram,
    /// Lengths of the window's episodes with nobody qualified on duty, binned.
    pub episodes: EpisodeHistogram,
    /// When the simulation stopped: the end of the drain, or earlier, once every ticket of the
    /// measured window was resolved (nothing measured can change after that).
    pub ended: SimTime,
}

/// One step of a traced run, for tests and debugging.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceEvent {
    /// When.
    pub time: SimTime,
    /// Ticket id (index into the run's ticket list).
    pub ticket: usize,
    /// Responder index, if one is involved.
    pub responder: Option<usize>,
    /// What happened.
    pub kind: TraceKind,
}

/// Kinds of traced steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceKind {
    /// The ticket arrived.
    Arrived,
    /// A work session started.
    Started,
    /// A session ended without resolving the ticket (shift end, absence, budget).
    Paused,
    /// A session was interrupted by a P1.
    Interrupted,
    /// The ticket was resolved.
    Resolved,
    /// Emergency help was called.
    HelpCalled,
    /// Emergency help arrived and took the ticket.
    HelpArrived,
}

/// A finished, traced run: the ticket list, the responders' timelines and the trace.
#[derive(Clone, Debug)]
pub struct Trace {
    /// All tickets of the run (own and other clients'), by id.
    pub tickets: Vec<Ticket>,
    /// Resolution time of each ticket, if resolved.
    pub resolved: Vec<Option<SimTime>>,
    /// Work sessions: `(responder, ticket, start, end)`.
    pub sessions: Vec<(usize, usize, SimTime, SimTime)>,
    /// Responder descriptions: `(label, timeline)`.
    pub responders: Vec<(String, Timeline)>,
    /// Every step, in processing order.
    pub events: Vec<TraceEvent>,
}

/// Inputs of one replication that several setups share: their tickets are identical (common
/// random numbers), so they are drawn once.
struct Shared {
    replication: u64,
    own: Option<Rc<Vec<Ticket>>>,
    others: HashMap<usize, Vec<Ticket>>,
    /// The company's and the given contracts' other clients' tickets, merged by arrival.
    merged: HashMap<Vec<usize>, Rc<Vec<Ticket>>>,
    /// Timelines of each contract's technicians (they plan only among themselves).
    technicians: HashMap<usize, Vec<Rc<Timeline>>>,
}

impl Shared {
    fn new(replication: u64) -> Shared {
        Shared {
            replication,
            own: None,
            others: HashMap::new(),
            merged: HashMap::new(),
            technicians: HashMap::new(),
        }
    }
}

/// Precomputed, replication-independent parts of a model: working schedules.
pub struct Simulator<'m> {
    model: &'m Model,
    /// Working time and planning days of each person.
    person_planning: Vec<people::PlanningDays>,
    /// The same per contract, per technician.
    tech_planning: Vec<Vec<people::PlanningDays>>,
    oncall_working: Vec<IntervalSet>,
    business_window: IntervalSet,
    business_days: metrics::BusinessDays,
    /// Per category: users stopped × share of their work lost, and whether it stops everybody.
    category_loss: Vec<(f64, bool)>,
    /// Per setup: when its emergency help can work (empty without emergency help).
    emergency_hours: Vec<IntervalSet>,
    arrivals: arrivals::Arrivals,
    /// Set from outside (Ctrl-C) to end replications early; see [`Simulator::with_cancel`].
    cancel: Option<&'m AtomicBool>,
}

/// Events processed between two looks at the cancellation flag: a relaxed load every 4096
/// events costs nothing measurable, and even the slowest replications process millions of
/// events a second, so a cancellation acts within milliseconds.
const CANCEL_CHECK_EVENTS: u32 = 4096;

#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    Idle,
    Working {
        ticket: usize,
        start: SimTime,
        travel_s: i64,
        rate: f64,
        completes_at: SimTime,
    },
    Returning,
    Retired,
}

struct Responder {
    label: String,
    tier: usize,
    skills: SkillSet,
    p1_only: bool,
    remote: bool,
    /// The person's role; `None` for on-call duty, emergency providers and interims.
    role: Option<Role>,
    emergency: bool,
    /// An interim standing in for an absent in-house admin (rule 9).
    interim: bool,
    contract: Option<usize>,
    /// Seconds of IT work per week, if limited (key users).
    weekly_budget_s: Option<i64>,
    meeting_share: f64,
    /// Shared, not copied: technicians' timelines are the same in every setup with their
    /// contract. Kept out of line, the timeline also leaves the struct small, so that
    /// dispatch's scans over the responders touch few cache lines.
    timeline: Rc<Timeline>,
    dedicated: Option<usize>,
    state: State,
    token: u32,
    budget_week: i64,
    budget_used_s: i64,
    own_work_s: i64,
    /// Weekday index (0 = Monday) of day 0, so that weeks start on Mondays.
    week_offset: i64,
    /// Whether the responder is on duty now, and until when (kept current by the duty-change
    /// events, so that dispatch needs no search in the duty intervals).
    duty_now: bool,
    duty_until: SimTime,
    /// Index of the first duty interval not over yet.
    duty_cursor: usize,
    /// Index into `Model::people` of an in-house person (for the cost model).
    person: Option<usize>,
    /// On-site visits to the company within the measured window.
    onsite_visits: u32,
}

impl Responder {
    /// An on-site responder without role, budget or special duties; callers set what differs.
    fn new(
        label: String,
        tier: usize,
        skills: SkillSet,
        timeline: Rc<Timeline>,
        week_offset: i64,
    ) -> Self {
        Responder {
            label,
            tier,
            skills,
            p1_only: false,
            remote: false,
            role: None,
            emergency: false,
            interim: false,
            contract: None,
            weekly_budget_s: None,
            meeting_share: 0.0,
            timeline,
            dedicated: None,
            state: State::Idle,
            token: 0,
            budget_week: i64::MIN,
            budget_used_s: 0,
            own_work_s: 0,
            week_offset,
            duty_now: false,
            duty_until: SimTime::ZERO,
            duty_cursor: 0,
            person: None,
            onsite_visits: 0,
        }
    }

    fn on_duty(&self, t: SimTime) -> bool {
        debug_assert_eq!(
            self.duty_now,
            self.timeline.duty.contains(t),
            "{} at {t:?}",
            self.label
        );
        !matches!(self.state, State::Retired) && self.duty_now
    }

    /// Week number of `t` (weeks start on Monday 00:00).
    fn week(&self, t: SimTime) -> i64 {
        (t.day() + self.week_offset).div_euclid(7)
    }

    /// Start (Monday 00:00) of week number `week`.
    fn week_start(&self, week: i64) -> SimTime {
        SimTime::day_start(week * 7 - self.week_offset)
    }

    /// Start of the week after the one of `t`.
    fn next_week_start(&self, t: SimTime) -> SimTime {
        self.week_start(self.week(t) + 1)
    }

    /// Seconds of weekly IT budget left at `t`.
    fn budget_left(&self, t: SimTime) -> i64 {
        match self.weekly_budget_s {
            None => i64::MAX,
            Some(b) if self.week(t) == self.budget_week => b - self.budget_used_s,
            Some(b) => b,
        }
    }

    /// Books the work of a session `[start, end)` against the weekly budget: only the part in
    /// the week of `end`, since a new week starts with a full budget.
    fn spend_budget(&mut self, start: SimTime, end: SimTime) {
        if self.weekly_budget_s.is_none() {
            return;
        }
        let week = self.week(end);
        if week != self.budget_week {
            self.budget_week = week;
            self.budget_used_s = 0;
        }
        self.budget_used_s += end - start.max(self.week_start(week));
    }

    fn available(&self, t: SimTime) -> bool {
        self.dedicated.is_none() && !self.emergency && self.on_duty(t) && self.budget_left(t) > 0
    }
}

#[derive(Clone, Debug, Default)]
struct Job {
    remaining_s: f64,
    first_start: Option<SimTime>,
    resolved: Option<SimTime>,
    penalty_decided: bool,
    knowledge_blocked: bool,
    penalty_s: i64,
    travel_s: i64,
    search_delay_s: i64,
    help_requested: bool,
    helped: bool,
    /// Waited past its escalation time (rule 8): help may be called for it.
    escalated: bool,
    waiting: bool,
}

/// Number of the company's waiting queues (one per skill).
const OWN: usize = Skill::ALL.len();

/// A responder or ticket index as stored in events (a run has far fewer than 2^32 of each).
fn index(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 2^32 responders and tickets")
}

/// Index of the waiting queue of `ticket`.
fn queue_of(ticket: &Ticket) -> usize {
    match ticket.client {
        Client::Own => ticket.skill as usize,
        Client::Other(c) => OWN + c as usize,
    }
}

struct Run<'a> {
    model: &'a Model,
    /// `model.window_end()`, which is a calendar computation, cached for the hot path.
    window_end: SimTime,
    setup: usize,
    /// Shared with the other setups of the replication that see the same tickets.
    tickets: Rc<Vec<Ticket>>,
    /// How many of them are the company's.
    own_count: usize,
    /// The company's resolved tickets in the order (and so the time order) of resolution.
    resolution_order: Vec<usize>,
    /// The company's tickets arriving in the measured window that are not resolved yet.
    window_open: usize,
    /// Whether to stop once the window's tickets are all resolved (not when tracing, so that a
    /// trace shows the whole drain).
    stop_when_drained: bool,
    /// When the simulation stopped.
    ended: SimTime,
    jobs: Vec<Job>,
    responders: Vec<Responder>,
    /// Waiting tickets: `waiting[s]` the company's that need skill `s`, `waiting[OWN + c]`
    /// those of MSP contract `c`'s other clients. Split so that the next ticket a responder may
    /// take is at the front of one of its queues: within one queue, every ticket of the same
    /// priority class (P1, or not) belongs to the same tier.
    waiting: Vec<WaitQueue>,
    /// Bit `s` set when the company's queue `waiting[s]` holds tickets.
    own_nonempty: u8,
    /// Number of waiting tickets over all queues.
    waiting_count: usize,
    /// Number of waiting P1 tickets over all queues.
    waiting_p1: usize,
    /// Reused buffers, so that dispatch does not allocate.
    masks: Vec<(SkillSet, SkillSet)>,
    /// When `masks` must be recomputed (`SimTime::MIN` = now).
    masks_expire: SimTime,
    scratch: Vec<usize>,
    events: EventQueue,
    emergency_tier: Option<usize>,
    /// The priorities emergency help covers (none without emergency help).
    help_priorities: [bool; 4],
    emergency_waiting: usize,
    /// Own tickets with their escalation times (rule 8), in time order, and the next one due.
    escalations: Vec<(SimTime, usize)>,
    next_escalation: usize,
    /// Whether emergency help has joined (dedicated responders exist).
    helped: bool,
    emergency_hours: &'a IntervalSet,
    trace: Option<Trace>,
    cancel: Option<&'a AtomicBool>,
}

impl<'m> Simulator<'m> {
    /// Precomputes the working schedules of every person and contract of `model`.
    pub fn new(model: &'m Model) -> Simulator<'m> {
        let cal = &model.calendar;
        let person_working: Vec<IntervalSet> = model
            .people
            .iter()
            .map(|p| cal.schedule(&p.hours, true))
            .collect();
        let person_planning = model
            .people
            .iter()
            .zip(&person_working)
            .map(|(p, w)| people::PlanningDays::new(w, cal, p))
            .collect();
        let tech_working: Vec<IntervalSet> = model
            .contracts
            .iter()
            .map(|c| cal.schedule(&c.coverage, c.coverage_observes_holidays))
            .collect();
        let tech_planning = model
            .contracts
            .iter()
            .zip(&tech_working)
            .map(|(c, w)| {
                c.technicians
                    .iter()
                    .map(|t| people::PlanningDays::new(w, cal, t))
                    .collect()
            })
            .collect();
        let oncall_working = model
            .contracts
            .iter()
            .zip(&tech_working)
            .map(|(c, w)| {
                if c.p1_always {
                    IntervalSet::span(model.start(), model.end()).subtract(w)
                } else {
                    IntervalSet::empty()
                }
            })
            .collect();
        let business_window = model.business.clip(SimTime::ZERO, model.window_end());
        Simulator {
            model,
            person_planning,
            tech_planning,
            oncall_working,
            business_window,
            business_days: metrics::BusinessDays::new(model),
            category_loss: metrics::category_loss(model),
            emergency_hours: model
                .setups
                .iter()
                .map(|s| {
                    s.emergency_help()
                        .map(|help| cal.schedule(&help.hours, false))
                        .unwrap_or_default()
                })
                .collect(),
            arrivals: arrivals::Arrivals::new(model),
            cancel: None,
        }
    }

    /// Lets `cancel` stop replications early: once it is set, a replication ends at its next
    /// check (every few thousand events) and returns a result of the unfinished run, which
    /// the caller must throw away (the Monte Carlo layer then reports the interruption).
    pub fn with_cancel(mut self, cancel: &'m AtomicBool) -> Simulator<'m> {
        self.cancel = Some(cancel);
        self
    }

    /// The model this simulator runs.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// Simulates `setup` (index into `Model::setups`) in `replication`.
    pub fn run(&self, setup: usize, replication: u64) -> ReplicationResult {
        self.run_inner(setup, &mut Shared::new(replication), false)
            .0
    }

    /// Simulates every setup in `replication`. Equal to calling [`Simulator::run`] for each,
    /// but draws the tickets that setups share (common random numbers) only once.
    pub fn run_all(&self, replication: u64) -> Vec<ReplicationResult> {
        let mut shared = Shared::new(replication);
        (0..self.model.setups.len())
            .map(|s| self.run_inner(s, &mut shared, false).0)
            .collect()
    }

    /// Like [`Simulator::run`], and also returns the full trace.
    pub fn run_traced(&self, setup: usize, replication: u64) -> (ReplicationResult, Trace) {
        let (r, t) = self.run_inner(setup, &mut Shared::new(replication), true);
        (r, t.expect("tracing was requested"))
    }

    fn run_inner(
        &self,
        setup_idx: usize,
        shared: &mut Shared,
        traced: bool,
    ) -> (ReplicationResult, Option<Trace>) {
        let replication = shared.replication;
        let model = self.model;
        let setup = &model.setups[setup_idx];
        let seed = model.sim.seed;
        // Day 0 is 1 January; shift so that week boundaries fall on Mondays.
        let offset = model.calendar.weekday_index(0) as i64;

        // Responders, in tier order. Vacation coordination follows this order.
        let mut responders = Vec::new();
        let mut team_vacation = people::DaySet::default();
        let mut contracts_in_setup = Vec::new();
        let mut emergency_tier = None;
        for (tier, t) in setup.tiers.iter().enumerate() {
            let mut add_person = |p: usize, responders: &mut Vec<Responder>| {
                let person = &model.people[p];
                let tl = people::timeline(
                    seed,
                    replication,
                    &model.calendar,
                    person,
                    &person.id,
                    &self.person_planning[p],
                    &mut team_vacation,
                    setup.vacation_no_overlap,
                );
                let tl = Rc::new(tl);
                let weekly = person.hours.hours_per_week();
                responders.push(Responder {
                    person: Some(p),
                    role: Some(person.role),
                    weekly_budget_s: (person.it_share < 1.0)
                        .then(|| secs_from_hours(person.it_share * weekly)),
                    meeting_share: person.absence.meeting_share,
                    ..Responder::new(person.id.clone(), tier, person.skills, tl, offset)
                });
            };
            match t {
                Tier::InHouse(ps) => ps.iter().for_each(|&p| add_person(p, &mut responders)),
                Tier::KeyUser(p) => add_person(*p, &mut responders),
                Tier::Msp(c) => {
                    contracts_in_setup.push(*c);
                    let contract = &model.contracts[*c];
                    // Technicians of a pool coordinate their vacations among themselves, so
                    // their timelines are the same in every setup with this contract. Their
                    // streams are keyed by their place in the pool, not by the contract: the
                    // k-th technician of bronze, silver and gold has the same illnesses,
                    // vacations and resignations (common random numbers across contracts).
                    let timelines = shared.technicians.entry(*c).or_insert_with(|| {
                        let mut pool_vacation = people::DaySet::default();
                        contract
                            .technicians
                            .iter()
                            .zip(&self.tech_planning[*c])
                            .enumerate()
                            .map(|(k, (tech, planning))| {
                                Rc::new(people::timeline(
                                    seed,
                                    replication,
                                    &model.calendar,
                                    tech,
                                    &MspContract::technician_stream_entity(k),
                                    planning,
                                    &mut pool_vacation,
                                    false,
                                ))
                            })
                            .collect()
                    });
                    for (tech, tl) in contract.technicians.iter().zip(timelines.iter().cloned()) {
                        responders.push(Responder {
                            remote: true,
                            role: Some(Role::Technician),
                            contract: Some(*c),
                            meeting_share: tech.absence.meeting_share,
                            ..Responder::new(tech.id.clone(), tier, tech.skills, tl, offset)
                        });
                    }
                    if contract.p1_always {
                        let on_call =
                            Rc::new(Timeline::always_present(self.oncall_working[*c].clone()));
                        let label = format!("{}.on-call", contract.id);
                        responders.push(Responder {
                            p1_only: true,
                            remote: true,
                            contract: Some(*c),
                            ..Responder::new(label, tier, SkillSet::ALL, on_call, offset)
                        });
                    }
                }
                Tier::Emergency(_) => emergency_tier = Some(tier),
            }
        }

        // Tickets: the company's, then other clients' of each contract, merged by arrival
        // (stable: at equal times the company's come first, then the contracts in order).
        let own = shared
            .own
            .get_or_insert_with(|| Rc::new(self.arrivals.own_tickets(model, replication)))
            .clone();
        let own_count = own.len();
        let tickets = if contracts_in_setup.is_empty() {
            own
        } else {
            let Shared { others, merged, .. } = shared;
            merged
                .entry(contracts_in_setup.clone())
                .or_insert_with(|| {
                    for &c in &contracts_in_setup {
                        others.entry(c).or_insert_with(|| {
                            self.arrivals.other_client_tickets(model, replication, c)
                        });
                    }
                    let mut runs = vec![&own[..]];
                    runs.extend(contracts_in_setup.iter().map(|c| &others[c][..]));
                    let tickets = arrivals::merge_by_arrival(&runs);
                    Rc::new(tickets)
                })
                .clone()
        };

        // Setup-specific per-ticket draws, in ticket order, independent of the dynamics; only
        // those a ticket can use (a penalty if it needs knowledge, travel if it is on site, a
        // search delay if emergency help covers it), since they cost a tenth of a run.
        let mut draws = rng::stream(seed, replication, Purpose::SetupDraws, &setup.name);
        let travel = contracts_in_setup
            .first()
            .map(|&c| &model.contracts[c].travel_h);
        let help = setup.emergency_help();
        let mut draw = |d: &crate::dist::Dist| secs_from_hours(d.sample(&mut draws));
        let jobs: Vec<Job> = tickets
            .iter()
            .map(|t| Job {
                remaining_s: t.effort_s as f64,
                penalty_s: if t.needs_knowledge {
                    draw(&setup.knowledge_penalty_h)
                } else {
                    0
                },
                travel_s: match travel {
                    Some(d) if t.onsite => draw(d),
                    _ => 0,
                },
                search_delay_s: match help {
                    Some(h)
                        if t.client == Client::Own
                            && (h.priorities[t.priority.index()]
                                || h.escalate_after_business_days[t.priority.index()]
                                    .is_some()) =>
                    {
                        draw(&h.search_delay_h)
                    }
                    _ => 0,
                },
                ..Job::default()
            })
            .collect();

        if let Some(cover) = help.and_then(|h| h.interim.as_ref()) {
            self.add_interims(&mut responders, cover, replication);
        }
        let escalations = help.map_or_else(Vec::new, |h| {
            self.escalation_schedule(&tickets[..own_count], h)
        });

        let mut run = Run {
            model,
            window_end: model.window_end(),
            setup: setup_idx,
            tickets,
            own_count,
            resolution_order: Vec::with_capacity(own_count),
            window_open: 0,
            stop_when_drained: !traced,
            ended: model.end(),
            jobs,
            responders,
            waiting: vec![WaitQueue::default(); OWN + model.contracts.len()],
            own_nonempty: 0,
            waiting_count: 0,
            waiting_p1: 0,
            masks: Vec::new(),
            masks_expire: SimTime::MIN,
            scratch: Vec::new(),
            events: EventQueue::default(),
            emergency_tier,
            help_priorities: help.map_or([false; 4], |h| h.priorities),
            emergency_waiting: 0,
            escalations,
            next_escalation: 0,
            helped: false,
            emergency_hours: &self.emergency_hours[setup_idx],
            trace: None,
            cancel: self.cancel,
        };
        if traced {
            run.trace = Some(Trace {
                tickets: run.tickets.to_vec(),
                resolved: Vec::new(),
                sessions: Vec::new(),
                responders: Vec::new(),
                events: Vec::new(),
            });
        }
        run.window_open = run.tickets[..]
            .iter()
            .filter(|t| t.client == Client::Own && run.in_window(t.arrival))
            .count();
        run.simulate();
        let result = metrics::compute(&run, self, replication);
        let trace = run.trace.take().map(|mut t| {
            t.resolved = run.jobs.iter().map(|j| j.resolved).collect();
            t.responders = run
                .responders
                .iter()
                .map(|r| (r.label.clone(), Timeline::clone(&r.timeline)))
                .collect();
            t
        });
        (result, trace)
    }

    /// The company's tickets of `replication` (identical for every setup).
    pub fn own_tickets(&self, replication: u64) -> Vec<Ticket> {
        self.arrivals.own_tickets(self.model, replication)
    }
}

impl Simulator<'_> {
    /// Rule 9: an interim responder for every long illness or vacancy of the setup's in-house
    /// admins, in the admin's tier right after them.
    fn add_interims(
        &self,
        responders: &mut Vec<Responder>,
        cover: &crate::model::InterimCover,
        replication: u64,
    ) {
        let model = self.model;
        // A second admin or an MSP covers an admin's long absence already: companies engage
        // an interim when the absence leaves them without any IT of their own.
        let admins = responders
            .iter()
            .filter(|r| r.role == Some(Role::Admin))
            .count();
        if admins != 1 || responders.iter().any(|r| r.contract.is_some()) {
            return;
        }
        let span = IntervalSet::span(model.start(), model.end());
        let mut i = 0;
        while i < responders.len() {
            let r = &responders[i];
            let (Some(p), Some(Role::Admin)) = (r.person, r.role) else {
                i += 1;
                continue;
            };
            let person = &model.people[p];
            let mut rng = rng::stream(model.sim.seed, replication, Purpose::Interim, &person.id);
            let after = secs_from_hours(cover.after_days * 24.0);
            let covered: Vec<(SimTime, SimTime)> = r
                .timeline
                .sick
                .union(&r.timeline.vacancy)
                .intervals()
                .filter_map(|(a, b)| {
                    // One draw per stretch, whether or not it lasts long enough, so that a
                    // longer or shorter stretch does not shift the later ones' delays.
                    let search = secs_from_hours(cover.search_days.sample(&mut rng) * 24.0);
                    let from = a + after + search;
                    (b - a > after && from < b).then_some((from, b))
                })
                .collect();
            if covered.is_empty() {
                i += 1;
                continue;
            }
            let covered = IntervalSet::from_intervals(covered);
            // Outside its engagements the interim is not there (rule 7 looks at this).
            let timeline = Timeline::engaged(
                self.person_planning[p].working().intersect(&covered),
                span.subtract(&covered),
            );
            let interim = Responder {
                interim: true,
                weekly_budget_s: r.weekly_budget_s,
                ..Responder::new(
                    format!("{}.interim", person.id),
                    r.tier,
                    r.skills,
                    Rc::new(timeline),
                    r.week_offset,
                )
            };
            responders.insert(i + 1, interim);
            i += 2;
        }
    }

    /// Rule 8: the escalation times of the company's tickets whose priority escalates, in
    /// time order (ties in ticket order).
    fn escalation_schedule(
        &self,
        tickets: &[Ticket],
        help: &crate::model::EmergencyHelp,
    ) -> Vec<(SimTime, usize)> {
        let mut out: Vec<(SimTime, usize)> = tickets
            .iter()
            .enumerate()
            .filter(|(_, t)| t.client == Client::Own)
            .filter_map(|(id, t)| {
                let n = help.escalate_after_business_days[t.priority.index()]?;
                let at = self.business_days.escalation_time(t.arrival, n)?;
                (at < self.model.end()).then_some((at, id))
            })
            .collect();
        out.sort_unstable();
        out
    }
}

impl Run<'_> {
    /// Whether `t` lies in the measured window.
    fn in_window(&self, t: SimTime) -> bool {
        t >= SimTime::ZERO && t < self.window_end
    }

    fn trace(&mut self, time: SimTime, ticket: usize, responder: Option<usize>, kind: TraceKind) {
        if let Some(t) = &mut self.trace {
            t.events.push(TraceEvent {
                time,
                ticket,
                responder,
                kind,
            });
        }
    }

    fn simulate(&mut self) {
        let start = self.model.start();
        let end = self.model.end();
        for r in 0..self.responders.len() {
            self.schedule_duty_change(r, start);
        }
        if let Some(&(t, _)) = self.escalations.first() {
            self.events.push(t, Event::Escalates);
        }
        let mut next_arrival = 0;
        let mut now = start;
        // Counts events (not loop rounds: a thousand technicians may change duty in one round).
        let mut until_cancel_check = CANCEL_CHECK_EVENTS;
        loop {
            if until_cancel_check == 0 {
                until_cancel_check = CANCEL_CHECK_EVENTS;
                if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                    self.ended = now;
                    break;
                }
            }
            until_cancel_check -= 1;
            let heap_next = self.events.peek();
            let arrival_next = self
                .tickets
                .get(next_arrival)
                .map(|t| (t.arrival, ARRIVAL_CLASS));
            let next = match (heap_next, arrival_next) {
                (Some(h), Some(a)) => h.min(a),
                (Some(h), None) => h,
                (None, Some(a)) => a,
                (None, None) => break,
            };
            if next.0 >= end {
                break;
            }
            // The drain exists to follow up the window's tickets: once they are all resolved,
            // what happens next changes no metric (work, visits and costs count only inside
            // the window), so the run can end here. A test checks that against full runs.
            if self.stop_when_drained && self.window_open == 0 && next.0 >= self.window_end {
                self.ended = next.0;
                break;
            }
            debug_assert!(
                next.0 >= now,
                "time went backwards: {:?} < {:?}",
                next.0,
                now
            );
            now = next.0;
            // Process everything that happens at `now`, then dispatch once.
            loop {
                match self.events.peek() {
                    Some((t, _)) if t == now => {
                        let (_, ev) = self.events.pop().expect("peeked");
                        until_cancel_check = until_cancel_check.saturating_sub(1);
                        self.handle(now, ev);
                    }
                    _ => break,
                }
            }
            while let Some(t) = self.tickets.get(next_arrival) {
                if t.arrival != now {
                    break;
                }
                let id = next_arrival;
                next_arrival += 1;
                until_cancel_check = until_cancel_check.saturating_sub(1);
                let alone = self
                    .tickets
                    .get(next_arrival)
                    .is_none_or(|t| t.arrival != now);
                self.arrive(now, id, alone);
            }
            self.dispatch(now);
        }
        // Sessions still running at the end: record their progress for the work-hour metrics.
        for r in 0..self.responders.len() {
            if matches!(self.responders[r].state, State::Working { .. }) {
                self.end_session(r, self.ended, TraceKind::Paused);
            }
        }
    }

    /// Updates responder `r`'s duty state at `now` and schedules its next change.
    fn schedule_duty_change(&mut self, r: usize, now: SimTime) {
        self.masks_expire = SimTime::MIN;
        let resp = &mut self.responders[r];
        let duty = &resp.timeline.duty;
        // Time only moves forward: skip the intervals that are over instead of searching.
        let mut i = resp.duty_cursor;
        while let Some((_, e)) = duty.get(i)
            && e <= now
        {
            i += 1;
        }
        resp.duty_cursor = i;
        let next = match duty.get(i) {
            Some((s, e)) if s <= now => {
                resp.duty_now = true;
                resp.duty_until = e;
                Some(e)
            }
            other => {
                resp.duty_now = false;
                other.map(|(s, _)| s)
            }
        };
        if let Some(t) = next
            && t < self.model.end()
        {
            self.events.push(t, Event::DutyChanges { r: index(r) });
        }
    }

    fn handle(&mut self, now: SimTime, ev: Event) {
        match ev {
            Event::WorkEnds { r, token } => {
                let r = r as usize;
                if self.responders[r].token == token
                    && matches!(self.responders[r].state, State::Working { .. })
                {
                    self.end_session(r, now, TraceKind::Paused);
                }
            }
            Event::ReturnEnds { r } => {
                let r = r as usize;
                if matches!(self.responders[r].state, State::Returning) {
                    self.responders[r].state = State::Idle;
                }
            }
            // A retired emergency provider has no duty left to track.
            Event::DutyChanges { r }
                if matches!(self.responders[r as usize].state, State::Retired) => {}
            Event::DutyChanges { r } => self.schedule_duty_change(r as usize, now),
            Event::HelpArrives { ticket } => self.help_arrives(now, ticket as usize),
            Event::Escalates => self.escalate(now),
            // Availability is recomputed at the next dispatch, which follows this event.
            Event::BudgetRenews { .. } => self.masks_expire = SimTime::MIN,
        }
    }

    /// Ticket `id` arrives; `alone` when no other ticket arrives at `now`.
    fn arrive(&mut self, now: SimTime, id: usize, alone: bool) {
        self.trace(now, id, None, TraceKind::Arrived);
        // With nobody waiting, no other arrival now (events at `now` come first) and no
        // dedicated helpers, the dispatch that follows would offer this ticket to the idle
        // available responders in order, and nothing else would change: do that here, without
        // the round trip through the waiting queue that most tickets of a calm desk make.
        if alone && self.waiting_count == 0 && !self.helped {
            self.refresh_masks(now);
            for r in 0..self.responders.len() {
                let resp = &self.responders[r];
                if matches!(resp.state, State::Idle)
                    && resp.available(now)
                    && self.may_take(r, id, &self.masks)
                {
                    self.start_session(r, id, now);
                    return;
                }
            }
        }
        self.enqueue(id);
    }

    fn enqueue(&mut self, id: usize) {
        let t = &self.tickets[id];
        let q = queue_of(t);
        self.waiting[q].insert((t.priority, t.arrival, id));
        if q < OWN {
            self.own_nonempty |= 1 << q;
        }
        self.waiting_count += 1;
        self.waiting_p1 += usize::from(t.priority == Priority::P1);
        self.jobs[id].waiting = true;
        if self.wants_help(id) {
            self.emergency_waiting += 1;
        }
    }

    fn dequeue(&mut self, id: usize) {
        let t = &self.tickets[id];
        let q = queue_of(t);
        let removed = self.waiting[q].remove((t.priority, t.arrival, id));
        if q < OWN && self.waiting[q].is_empty() {
            self.own_nonempty &= !(1 << q);
        }
        debug_assert!(removed, "ticket {id} was not waiting");
        self.waiting_count -= 1;
        self.waiting_p1 -= usize::from(t.priority == Priority::P1);
        self.jobs[id].waiting = false;
        if self.wants_help(id) {
            self.emergency_waiting -= 1;
        }
    }

    /// Whether ticket `id`, while waiting, may still trigger an emergency call.
    fn wants_help(&self, id: usize) -> bool {
        let t = &self.tickets[id];
        let job = &self.jobs[id];
        (self.help_priorities[t.priority.index()] || job.escalated)
            && t.client == Client::Own
            && !job.help_requested
    }

    /// Rule 8: the tickets due at `now` escalate; the next due time is scheduled.
    fn escalate(&mut self, now: SimTime) {
        while let Some(&(t, id)) = self.escalations.get(self.next_escalation) {
            if t > now {
                self.events.push(t, Event::Escalates);
                return;
            }
            self.next_escalation += 1;
            let job = &self.jobs[id];
            if job.resolved.is_some() || job.escalated {
                continue;
            }
            // A waiting ticket counts towards the calls to make as soon as it may have help.
            let was = job.waiting && self.wants_help(id);
            self.jobs[id].escalated = true;
            if self.jobs[id].waiting && !was && self.wants_help(id) {
                self.emergency_waiting += 1;
            }
        }
    }

    /// The tier that owns ticket `id` now (rule 2), if any tier has someone available.
    fn owning_tier(&self, id: usize, masks: &[(SkillSet, SkillSet)]) -> Option<usize> {
        let t = &self.tickets[id];
        masks.iter().position(|&(all, p1)| {
            let m = if t.priority == Priority::P1 { p1 } else { all };
            m.has(t.skill)
        })
    }

    fn may_take(&self, r: usize, id: usize, masks: &[(SkillSet, SkillSet)]) -> bool {
        let resp = &self.responders[r];
        let t = &self.tickets[id];
        if let Some(d) = resp.dedicated {
            return d == id;
        }
        if !resp.skills.has(t.skill) || (resp.p1_only && t.priority != Priority::P1) {
            return false;
        }
        match t.client {
            Client::Own => self.owning_tier(id, masks) == Some(resp.tier),
            Client::Other(c) => resp.contract == Some(c as usize),
        }
    }

    /// The first waiting ticket (in waiting order) that responder `r` may take.
    fn pick(&self, r: usize) -> Option<usize> {
        let resp = &self.responders[r];
        if let Some(d) = resp.dedicated {
            return self.jobs[d].waiting.then_some(d);
        }
        let mut best: Option<WaitKey> = None;
        let mut consider = |k: Option<WaitKey>| {
            if let Some(k) = k
                && best.is_none_or(|b| k < b)
            {
                best = Some(k);
            }
        };
        let mut queues = resp.skills.bits() & self.own_nonempty;
        while queues != 0 {
            let q = &self.waiting[queues.trailing_zeros() as usize];
            queues &= queues - 1;
            // Within a queue the owning tier depends only on whether a ticket is a P1, so the
            // first P1 and the first other ticket are the only candidates.
            consider(q.first_p1().filter(|k| self.may_take(r, k.2, &self.masks)));
            consider(
                q.first_non_p1()
                    .filter(|k| self.may_take(r, k.2, &self.masks)),
            );
        }
        if let Some(c) = resp.contract {
            let q = &self.waiting[OWN + c];
            let may = |k: &WaitKey| resp.skills.has(self.tickets[k.2].skill);
            let next = if resp.p1_only {
                q.p1().find(may)
            } else {
                // Technicians have every skill: the pool's next ticket is at the front.
                q.first().filter(may).or_else(|| q.iter().find(may))
            };
            consider(next);
        }
        best.map(|k| k.2)
    }

    /// Brings the availability masks up to date for `now`.
    #[inline]
    fn refresh_masks(&mut self, now: SimTime) {
        if now >= self.masks_expire {
            self.update_masks(now);
        }
    }

    /// Recomputes, per tier, the skills available for any ticket and for P1 tickets (on-call
    /// included). Availability changes only with duty, budgets and emergency help, whose
    /// handlers reset `masks_expire`; budgets also at the start of each week.
    // Out of line: rarely due, and inlined at both callers it slowed the hot paths around them.
    #[inline(never)]
    fn update_masks(&mut self, now: SimTime) {
        let tiers = self.model.setups[self.setup].tiers.len();
        self.masks.clear();
        self.masks
            .resize(tiers, (SkillSet::default(), SkillSet::default()));
        let mut expire = SimTime::MAX;
        for resp in &self.responders {
            if resp.weekly_budget_s.is_some() {
                expire = expire.min(resp.next_week_start(now));
            }
            if resp.available(now) {
                let m = &mut self.masks[resp.tier];
                m.1 = m.1.union(resp.skills);
                if !resp.p1_only {
                    m.0 = m.0.union(resp.skills);
                }
            }
        }
        self.masks_expire = expire;
    }

    fn dispatch(&mut self, now: SimTime) {
        if self.waiting_count == 0 {
            return;
        }
        // Most calls change nothing: everybody on duty is busy and no P1 or emergency waits.
        let any_idle = self
            .responders
            .iter()
            .any(|r| matches!(r.state, State::Idle) && r.duty_now);
        if !any_idle && self.waiting_p1 == 0 && self.emergency_waiting == 0 {
            return;
        }
        self.refresh_masks(now);

        // Rule 3: idle responders pick.
        for r in 0..self.responders.len() {
            if self.waiting_count == 0 {
                break;
            }
            let resp = &mut self.responders[r];
            if !matches!(resp.state, State::Idle) {
                continue;
            }
            let can = if let Some(d) = resp.dedicated {
                if self.jobs[d].resolved.is_some() {
                    resp.state = State::Retired;
                    false
                } else {
                    resp.on_duty(now)
                }
            } else {
                resp.available(now)
            };
            if !can {
                continue;
            }
            if let Some(id) = self.pick(r) {
                self.dequeue(id);
                self.start_session(r, id, now);
            }
        }

        // Rule 4: P1 interrupts.
        if self.waiting_p1 == 0 {
            self.emergency_calls(now);
            return;
        }
        let mut waiting_p1 = std::mem::take(&mut self.scratch);
        waiting_p1.clear();
        for q in &self.waiting {
            waiting_p1.extend(q.p1().map(|k| k.2));
        }
        // In waiting order across the queues.
        waiting_p1.sort_by_key(|&id| (self.tickets[id].arrival, id));
        for &id in &waiting_p1 {
            let mut best: Option<(Priority, SimTime, usize)> = None;
            for r in 0..self.responders.len() {
                let State::Working { ticket, start, .. } = self.responders[r].state else {
                    continue;
                };
                let current = self.tickets[ticket].priority;
                if current == Priority::P1
                    || self.responders[r].dedicated.is_some()
                    || !self.responders[r].available(now)
                    || !self.may_take(r, id, &self.masks)
                {
                    continue;
                }
                let cand = (current, start, r);
                if best.is_none_or(|b| cand > b) {
                    best = Some(cand);
                }
            }
            if let Some((_, _, r)) = best {
                self.end_session(r, now, TraceKind::Interrupted);
                self.dequeue(id);
                self.start_session(r, id, now);
            }
        }
        self.scratch = waiting_p1;
        self.emergency_calls(now);
    }

    /// Rule 7: emergency help for waiting tickets that nobody of an earlier tier can take.
    #[inline]
    fn emergency_calls(&mut self, now: SimTime) {
        // Called after every dispatch, and almost always with nothing to do: keep the test
        // inline and the work out of line.
        if self.emergency_waiting > 0 {
            self.call_emergency_help(now);
        }
    }

    #[inline(never)]
    fn call_emergency_help(&mut self, now: SimTime) {
        let k = self
            .emergency_tier
            .expect("counted only with an emergency tier");
        // Whether somebody of an earlier tier who may take a ticket of skill `s` (a P1 or not)
        // is there: on duty for remote providers, not absent for in-house people. It depends on
        // nothing that calling help changes, so it is decided once per skill and P1-ness (from
        // one pass over the responders), and the usual case (everybody needed is there) costs
        // no pass over the waiting tickets.
        let (mut covered_all, mut covered_p1) = (SkillSet::default(), SkillSet::default());
        for r in &self.responders {
            let there = r.tier < k
                && if r.remote {
                    r.on_duty(now)
                } else {
                    !r.timeline.absent.contains(now)
                };
            if there {
                covered_p1 = covered_p1.union(r.skills);
                if !r.p1_only {
                    covered_all = covered_all.union(r.skills);
                }
            }
        }
        // P1 tickets are covered by everybody who covers the others, and by P1-only on-call.
        if covered_all == SkillSet::ALL {
            return;
        }
        let mut candidates: Vec<WaitKey> = self.waiting[..OWN]
            .iter()
            .flat_map(WaitQueue::iter)
            .filter(|w| self.wants_help(w.2))
            .collect();
        candidates.sort_unstable();
        for id in candidates.into_iter().map(|w| w.2) {
            let t = &self.tickets[id];
            let covered = if t.priority == Priority::P1 {
                covered_p1
            } else {
                covered_all
            };
            if !covered.has(t.skill) {
                self.emergency_waiting -= 1;
                self.jobs[id].help_requested = true;
                let at = now + self.jobs[id].search_delay_s;
                self.events
                    .push(at, Event::HelpArrives { ticket: index(id) });
                self.trace(now, id, None, TraceKind::HelpCalled);
            }
        }
    }

    fn help_arrives(&mut self, now: SimTime, id: usize) {
        if !self.jobs[id].waiting {
            // Somebody took it meanwhile, or it is resolved: the provider is called off.
            return;
        }
        let k = self
            .emergency_tier
            .expect("help only with an emergency tier");
        let r = self.responders.len();
        let week_offset = self.responders.first().map_or(0, |x| x.week_offset);
        let hours = Rc::new(Timeline::always_present(
            self.emergency_hours.clip(now, self.model.end()),
        ));
        self.responders.push(Responder {
            emergency: true,
            dedicated: Some(id),
            ..Responder::new(
                format!("emergency#{id}"),
                k,
                SkillSet::ALL,
                hours,
                week_offset,
            )
        });
        self.jobs[id].helped = true;
        self.helped = true;
        self.trace(now, id, Some(r), TraceKind::HelpArrived);
        self.schedule_duty_change(r, now);
        if self.responders[r].on_duty(now) {
            self.dequeue(id);
            self.start_session(r, id, now);
        }
    }

    fn start_session(&mut self, r: usize, id: usize, now: SimTime) {
        let setup = &self.model.setups[self.setup];
        let resp = &self.responders[r];
        debug_assert!(
            resp.on_duty(now),
            "{} works while off duty at {now:?}",
            resp.label
        );
        let ticket = &self.tickets[id];
        let job = &mut self.jobs[id];
        job.first_start.get_or_insert(now);
        if ticket.needs_knowledge && !job.penalty_decided {
            job.penalty_decided = true;
            let holder = resp.role == Some(Role::Admin) && resp.timeline.knows_systems(now);
            if !holder && ticket.knowledge_draw >= setup.documentation_quality {
                job.knowledge_blocked = true;
                job.remaining_s += job.penalty_s as f64;
            }
        }
        let travel_s = if ticket.onsite && resp.remote {
            job.travel_s
        } else {
            0
        };
        let rate = resp.timeline.productivity(now) * (1.0 - resp.meeting_share);
        let completes_at = now + travel_s + ceil_i64(job.remaining_s / rate);
        let duty_end = resp.duty_until;
        let counts_as_visit = travel_s > 0 && ticket.client == Client::Own && self.in_window(now);
        let resp = &mut self.responders[r];
        resp.onsite_visits += u32::from(counts_as_visit);
        let budget_end = now.secs().saturating_add(resp.budget_left(now));
        let ends = SimTime(completes_at.secs().min(duty_end.secs()).min(budget_end));
        resp.token += 1;
        resp.state = State::Working {
            ticket: id,
            start: now,
            travel_s,
            rate,
            completes_at,
        };
        let token = resp.token;
        self.events
            .push(ends, Event::WorkEnds { r: index(r), token });
        self.trace(now, id, Some(r), TraceKind::Started);
    }

    /// Ends responder `r`'s session at `now`: resolves the ticket or puts it back.
    fn end_session(&mut self, r: usize, now: SimTime, why: TraceKind) {
        let State::Working {
            ticket: id,
            start,
            travel_s,
            rate,
            completes_at,
        } = self.responders[r].state
        else {
            unreachable!("end_session on a responder that is not working");
        };
        let elapsed = now - start;
        let resp = &mut self.responders[r];
        resp.token += 1;
        resp.spend_budget(start, now);
        if resp.weekly_budget_s.is_some() {
            self.masks_expire = SimTime::MIN;
            // Nothing else may happen when the next week starts (a key user on duty around the
            // clock has no duty change then): wake dispatch up for the renewed budget.
            if resp.budget_left(now) <= 0 {
                let next_week = resp.next_week_start(now);
                if next_week < self.model.end() {
                    self.events
                        .push(next_week, Event::BudgetRenews { r: index(r) });
                }
            }
        }
        if self.tickets[id].client == Client::Own {
            // Only work inside the measured window counts towards per-year hours.
            let w_end = self.window_end;
            resp.own_work_s += (now.min(w_end) - start.max(SimTime::ZERO)).max(0);
        }
        if let Some(t) = &mut self.trace {
            t.sessions.push((r, id, start, now));
        }
        if now >= completes_at {
            self.jobs[id].remaining_s = 0.0;
            self.jobs[id].resolved = Some(now);
            if self.tickets[id].client == Client::Own {
                self.resolution_order.push(id);
                if self.in_window(self.tickets[id].arrival) {
                    self.window_open -= 1;
                }
            }
            let back = if travel_s > 0 {
                self.jobs[id].travel_s
            } else {
                0
            };
            let resp = &mut self.responders[r];
            if back > 0 {
                resp.state = State::Returning;
                self.events
                    .push(now + back, Event::ReturnEnds { r: index(r) });
            } else {
                resp.state = if resp.dedicated.is_some() {
                    State::Retired
                } else {
                    State::Idle
                };
            }
            self.trace(now, id, Some(r), TraceKind::Resolved);
        } else {
            let worked = (elapsed - travel_s).max(0) as f64 * rate;
            let job = &mut self.jobs[id];
            // Never let rounding resolve a ticket early: at least one second remains.
            job.remaining_s = (job.remaining_s - worked).max(1.0);
            self.responders[r].state = State::Idle;
            self.enqueue(id);
            self.trace(now, id, Some(r), why);
        }
    }
}

/// Lookup of responder labels to indexes, for tests.
pub fn responder_index(trace: &Trace) -> HashMap<String, usize> {
    trace
        .responders
        .iter()
        .enumerate()
        .map(|(i, (l, _))| (l.clone(), i))
        .collect()
}
