//! Ticket arrivals: exact (non-homogeneous) Poisson processes, drawn before the run.
//!
//! A category's tickets form a Poisson process whose intensity is constant within business
//! hours (weighted by weekday) and zero outside (`business` pattern), or constant at all times
//! (`always`). We draw the points of a unit-rate process in *intensity space* (cumulative
//! expected arrivals) and map each back to wall time through the piecewise-linear cumulative
//! intensity: exact, with no hour-by-hour approximation.
//!
//! Tickets are drawn from streams keyed by category id, before any setup is simulated, so every
//! setup of a scenario sees the identical ticket list (common random numbers).
//!
//! An MSP's other clients only load the pool, so their categories are not drawn one by one:
//! categories that share an intensity (the same pattern and weekday factors) form one Poisson
//! process with the summed rate, and each of its points is of category `c` with probability
//! proportional to `c`'s rate (superposition of independent Poisson processes: the same
//! distribution). That draws the tickets already in time order, with fewer draws per ticket.

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use crate::interval::IntervalSet;
use crate::model::{ArrivalPattern, Category, Model, Priority, Skill};
use crate::rng::{self, Purpose, SimRng};
use crate::time::{SimTime, round_i64, secs_from_hours};

/// Who a ticket belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    /// The simulated company.
    Own,
    /// Another client of the MSP contract with this index (loads the pool, not measured).
    Other(u16),
}

/// One ticket, with every attribute drawn at arrival.
#[derive(Clone, Debug)]
pub struct Ticket {
    /// Arrival time.
    pub arrival: SimTime,
    /// Index of its category in `Model::categories`.
    pub category: u16,
    /// Whose ticket it is.
    pub client: Client,
    /// Priority.
    pub priority: Priority,
    /// Required skill.
    pub skill: Skill,
    /// Whether the work must happen on site.
    pub onsite: bool,
    /// Hands-on effort at full productivity [s].
    pub effort_s: i64,
    /// Whether solving it needs system knowledge.
    pub needs_knowledge: bool,
    /// Uniform(0,1) draw: the knowledge penalty applies when this is at least the setup's
    /// documentation quality (drawn here so that it is common to all setups).
    pub knowledge_draw: f64,
}

/// The cumulative intensity of one arrival pattern: segments of constant weight.
struct Intensity {
    /// `(start, end, weight, cumulative weighted seconds before start)`.
    segments: Vec<(SimTime, SimTime, f64, f64)>,
    total: f64,
}

impl Intensity {
    fn new(open: &IntervalSet, weight_of_day: impl Fn(i64) -> f64) -> Intensity {
        let mut segments = Vec::new();
        let mut cum = 0.0;
        for (s, e) in open.intervals() {
            // Split at midnights so that each segment has one weekday weight.
            let mut a = s;
            while a < e {
                let b = e.min(SimTime::day_start(a.day() + 1));
                let w = weight_of_day(a.day());
                if w > 0.0 {
                    segments.push((a, b, w, cum));
                    cum += w * (b - a) as f64;
                }
                a = b;
            }
        }
        Intensity {
            segments,
            total: cum,
        }
    }

    /// Weighted seconds in `[from, to)`.
    fn between(&self, from: SimTime, to: SimTime) -> f64 {
        self.segments
            .iter()
            .map(|&(s, e, w, _)| {
                let a = s.max(from);
                let b = e.min(to);
                if b > a { w * (b - a) as f64 } else { 0.0 }
            })
            .sum()
    }

    /// Calls `f` with the arrival time of each point of a Poisson process of `rate` arrivals
    /// per weighted second over the whole intensity, in time order: unit-rate gaps from
    /// `times`, scaled into intensity space and mapped back to wall time.
    fn arrivals(&self, rate: f64, times: &mut SimRng, mut f: impl FnMut(SimTime)) {
        let (mut x, mut segment) = (0.0, 0);
        loop {
            let gap: f64 = Exp1.sample(times);
            x += gap / rate;
            if x >= self.total {
                return;
            }
            f(self.invert_from(x, &mut segment));
        }
    }

    /// Wall time at which the cumulative intensity reaches `x` (0 <= x < total).
    #[cfg(test)]
    fn invert(&self, x: f64) -> SimTime {
        self.invert_from(x, &mut 0)
    }

    /// Like `invert`, for ascending `x`: `segment` is where the search starts, and is left at
    /// the segment of `x`, so that drawing a year of arrivals walks the segments once.
    fn invert_from(&self, x: f64, segment: &mut usize) -> SimTime {
        let mut i = *segment;
        while i + 1 < self.segments.len() && self.segments[i + 1].3 <= x {
            i += 1;
        }
        *segment = i;
        let (s, e, w, cum) = self.segments[i];
        let t = s.secs() as f64 + (x - cum) / w;
        // Rounding to the second may not leave the segment: the ticket must arrive in open time.
        SimTime(round_i64(t).clamp(s.secs(), e.secs() - 1))
    }
}

/// Draws the attributes of one of the company's tickets arriving at `arrival`.
// Inlined so that the ticket is built in the output vector: returned through the stack, its
// copy stalled on store forwarding, a fifth of the time of drawing tickets in `perf`.
#[inline(always)]
fn draw_ticket(index: usize, category: &Category, arrival: SimTime, attrs: &mut SimRng) -> Ticket {
    // A fixed number of draws per ticket keeps the attribute stream aligned whatever the
    // values: on-site, effort, knowledge need, knowledge penalty.
    let onsite_u: f64 = attrs.random();
    let effort_h = category.effort_h.sample(attrs);
    let knowledge_u: f64 = attrs.random();
    let knowledge_draw: f64 = attrs.random();
    Ticket {
        arrival,
        category: index as u16,
        client: Client::Own,
        priority: category.priority,
        skill: category.skill,
        onsite: onsite_u < category.onsite_probability,
        effort_s: secs_from_hours(effort_h).max(1),
        needs_knowledge: knowledge_u < category.knowledge_probability,
        knowledge_draw,
    }
}

/// Room for the tickets of the model's span at rate multiplier `scale`, with a margin that
/// Poisson noise rarely exceeds, so that drawing a year of tickets does not keep reallocating.
fn expected_tickets(model: &Model, scale: f64) -> usize {
    let years = (model.end() - model.start()) as f64 / crate::engine::people::YEAR_S;
    let per_year: f64 = model.categories.iter().map(|c| c.tickets_per_year).sum();
    let n = per_year * scale * years;
    // Mean plus four standard deviations, but never more than a million tickets up front:
    // beyond that the vector grows as usual (and `as` saturates a nonsensical rate).
    ((n + 4.0 * n.sqrt() + 16.0) as usize).min(1 << 20)
}

/// The replication-independent part of the arrival processes: each category's cumulative
/// intensity and its normalisation, computed once per model.
pub struct Arrivals {
    /// Per category: the intensity and the weighted seconds per measured year, or `None` for
    /// scheduled categories.
    intensities: Vec<Option<(Intensity, f64)>>,
    /// Categories that share an intensity, for other clients' tickets.
    shared_intensity: Vec<IntensityGroup>,
}

/// Categories whose arrivals follow the same intensity (pattern and weekday factors).
struct IntensityGroup {
    /// The category whose intensity (in `Arrivals::intensities`) every member shares.
    intensity: usize,
    /// Members: `(category index, cumulative tickets per year up to and including it)`.
    members: Vec<(usize, f64)>,
    /// Stream entity suffix: the first member's id.
    key: String,
    /// The members' share of all categories' tickets per year (to size the output).
    share: f64,
}

impl IntensityGroup {
    /// Expected tickets per year of all members together.
    fn tickets_per_year(&self) -> f64 {
        self.members.last().map_or(0.0, |m| m.1)
    }

    /// The member whose share of the summed rate holds `u` (0 <= u < 1).
    fn member(&self, u: f64) -> usize {
        let x = u * self.tickets_per_year();
        let i = self.members.partition_point(|&(_, cum)| cum <= x);
        // `u` close to 1 may round onto the total.
        self.members[i.min(self.members.len() - 1)].0
    }
}

/// The category's factor for the month of `day` (exactly 1 without `month_factors`, so
/// scenarios without seasonality draw the same tickets as before the key existed).
fn month_factor(model: &Model, category: &Category, day: i64) -> f64 {
    use chrono::Datelike;
    category.month_factors[model.calendar.date_of_day(day).month0() as usize]
}

/// Whether two categories arrive with the same intensity (so share one Poisson process).
fn same_intensity(a: &Category, b: &Category) -> bool {
    match (&a.pattern, &b.pattern) {
        (ArrivalPattern::Business, ArrivalPattern::Business) => {
            a.weekday_factors.map(f64::to_bits) == b.weekday_factors.map(f64::to_bits)
                && a.month_factors.map(f64::to_bits) == b.month_factors.map(f64::to_bits)
        }
        (ArrivalPattern::Always, ArrivalPattern::Always) => {
            a.month_factors.map(f64::to_bits) == b.month_factors.map(f64::to_bits)
        }
        _ => false,
    }
}

impl Arrivals {
    /// Precomputes the intensities of `model`'s categories.
    pub fn new(model: &Model) -> Arrivals {
        let calendar = &model.calendar;
        let intensities = model
            .categories
            .iter()
            .map(|category| {
                let intensity = match &category.pattern {
                    ArrivalPattern::Scheduled(_) => return None,
                    ArrivalPattern::Business => {
                        let f = category.weekday_factors;
                        Intensity::new(&model.business, |day| {
                            f[calendar.weekday_index(day)] * month_factor(model, category, day)
                        })
                    }
                    ArrivalPattern::Always => {
                        Intensity::new(&IntervalSet::span(model.start(), model.end()), |day| {
                            month_factor(model, category, day)
                        })
                    }
                };
                // Normalise so that the measured window holds `tickets_per_year` per year in
                // expectation, whatever the weekday factors and the number of holidays.
                let per_year = intensity.between(SimTime::ZERO, model.window_end())
                    / f64::from(model.sim.years);
                Some((intensity, per_year))
            })
            .collect::<Vec<_>>();
        let mut shared_intensity: Vec<IntensityGroup> = Vec::new();
        for (i, category) in model.categories.iter().enumerate() {
            let usable = intensities[i]
                .as_ref()
                .is_some_and(|(_, per_year)| *per_year > 0.0);
            if !usable || category.tickets_per_year <= 0.0 {
                continue;
            }
            let group = match shared_intensity
                .iter()
                .position(|g| same_intensity(&model.categories[g.intensity], category))
            {
                Some(g) => &mut shared_intensity[g],
                None => {
                    shared_intensity.push(IntensityGroup {
                        intensity: i,
                        members: Vec::new(),
                        key: category.id.clone(),
                        share: 0.0,
                    });
                    shared_intensity.last_mut().expect("just pushed")
                }
            };
            let cum = group.tickets_per_year() + category.tickets_per_year;
            group.members.push((i, cum));
        }
        let all: f64 = model.categories.iter().map(|c| c.tickets_per_year).sum();
        for g in &mut shared_intensity {
            g.share = g.tickets_per_year() / all;
        }
        Arrivals {
            intensities,
            shared_intensity,
        }
    }

    /// Draws all of the company's tickets of category `index` over the model's span.
    fn category_tickets(
        &self,
        model: &Model,
        replication: u64,
        index: usize,
        out: &mut Vec<Ticket>,
    ) {
        let category = &model.categories[index];
        let (seed, entity) = (model.sim.seed, &category.id);
        let mut times: SimRng = rng::stream(seed, replication, Purpose::IncidentArrivals, entity);
        let mut attrs: SimRng = rng::stream(seed, replication, Purpose::IncidentAttributes, entity);
        let Some((intensity, per_year)) = &self.intensities[index] else {
            if let ArrivalPattern::Scheduled(at) = &category.pattern {
                for &t in at {
                    out.push(draw_ticket(index, category, t, &mut attrs));
                }
            }
            return;
        };
        if *per_year <= 0.0 || category.tickets_per_year <= 0.0 {
            return;
        }
        let rate = category.tickets_per_year / per_year; // arrivals per weighted second
        intensity.arrivals(rate, &mut times, |at| {
            out.push(draw_ticket(index, category, at, &mut attrs));
        });
    }

    /// All tickets of the company over the model's span (warm-up, window and drain), sorted by
    /// arrival time, then category index, then draw order.
    pub fn own_tickets(&self, model: &Model, replication: u64) -> Vec<Ticket> {
        let mut out = Vec::with_capacity(expected_tickets(model, 1.0));
        for i in 0..model.categories.len() {
            self.category_tickets(model, replication, i, &mut out);
        }
        // Stable sort: equal arrival times keep category order, then draw order.
        out.sort_by_key(|t| t.arrival);
        out
    }

    /// Tickets of the other clients of MSP contract `contract`, sorted by arrival time: the
    /// company's categories scaled to the other clients' PCs, drawn per group of categories
    /// that share an intensity (see the module documentation), from the contract's own streams.
    /// They never need our system knowledge. Scheduled incidents are the company's alone.
    pub fn other_client_tickets(
        &self,
        model: &Model,
        replication: u64,
        contract: usize,
    ) -> Vec<Ticket> {
        let c = &model.contracts[contract];
        let scale = f64::from(c.other_clients_pcs) / f64::from(model.company.pcs.max(1));
        let client = Client::Other(contract as u16);
        let mut runs: Vec<Vec<Ticket>> = Vec::with_capacity(self.shared_intensity.len());
        for group in &self.shared_intensity {
            let (intensity, per_year) = self.intensities[group.intensity]
                .as_ref()
                .expect("groups hold categories with an intensity");
            let rate = group.tickets_per_year() * scale / per_year; // per weighted second
            let mut out = Vec::with_capacity(expected_tickets(model, scale * group.share));
            if rate > 0.0 {
                let entity = format!("{}/{}", c.id, group.key);
                let seed = model.sim.seed;
                let mut times: SimRng =
                    rng::stream(seed, replication, Purpose::MspOtherClients, &entity);
                let mut attrs: SimRng = rng::stream(
                    seed,
                    replication,
                    Purpose::MspOtherClientAttributes,
                    &entity,
                );
                intensity.arrivals(rate, &mut times, |arrival| {
                    // A fixed number of draws per ticket: category, on-site, effort.
                    let index = group.member(attrs.random());
                    let category = &model.categories[index];
                    let onsite_u: f64 = attrs.random();
                    let effort_h = category.effort_h.sample(&mut attrs);
                    out.push(Ticket {
                        arrival,
                        category: index as u16,
                        client,
                        priority: category.priority,
                        skill: category.skill,
                        onsite: onsite_u < category.onsite_probability,
                        effort_s: secs_from_hours(effort_h).max(1),
                        needs_knowledge: false,
                        knowledge_draw: 0.0,
                    });
                });
            }
            runs.push(out);
        }
        merge_by_arrival(&runs.iter().map(Vec::as_slice).collect::<Vec<_>>())
    }
}

/// Merges ticket lists sorted by arrival into one, stably: at equal arrival times, the earlier
/// list's tickets come first.
pub(crate) fn merge_by_arrival(runs: &[&[Ticket]]) -> Vec<Ticket> {
    match runs {
        [] => Vec::new(),
        [only] => only.to_vec(),
        [first, rest @ ..] => rest
            .iter()
            .fold(first.to_vec(), |merged, run| merge_two(&merged, run)),
    }
}

/// Stable merge of two lists sorted by arrival (`a`'s first at equal times).
fn merge_two(a: &[Ticket], b: &[Ticket]) -> Vec<Ticket> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if b[j].arrival < a[i].arrival {
            out.push(b[j].clone());
            j += 1;
        } else {
            out.push(a[i].clone());
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inversion_stays_inside_open_time() {
        let open = IntervalSet::from_intervals(vec![
            (SimTime(100), SimTime(200)),
            (SimTime(1000), SimTime(1100)),
        ]);
        let i = Intensity::new(&open, |_| 1.0);
        assert_eq!(i.total, 200.0);
        assert_eq!(i.invert(0.0), SimTime(100));
        assert_eq!(i.invert(150.0), SimTime(1050));
        assert_eq!(i.invert(199.9), SimTime(1099));
    }

    /// Other clients' tickets, drawn per group of categories that share an intensity, have
    /// each category's expected count in the measured window (Poisson: the sum over
    /// replications has variance equal to its mean), arrive in order, and keep to business
    /// hours where their category does.
    #[test]
    fn other_clients_superposed_categories_keep_their_rates() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join("mustermann-gmbh.toml");
        let model = crate::scenario::load(&path).expect("the example scenario loads");
        let arrivals = Arrivals::new(&model);
        let contract = &model.contracts[0];
        let scale = f64::from(contract.other_clients_pcs) / f64::from(model.company.pcs);
        // Business and always: the example's categories share two intensities.
        assert_eq!(arrivals.shared_intensity.len(), 2);
        let reps = 200;
        let mut counts = vec![0u64; model.categories.len()];
        for rep in 0..reps {
            let tickets = arrivals.other_client_tickets(&model, rep, 0);
            assert!(tickets.is_sorted_by_key(|t| t.arrival));
            for t in &tickets {
                assert_eq!(t.client, Client::Other(0));
                assert!(!t.needs_knowledge);
                let category = &model.categories[usize::from(t.category)];
                assert_eq!((t.priority, t.skill), (category.priority, category.skill));
                if matches!(category.pattern, ArrivalPattern::Business) {
                    assert!(model.business.contains(t.arrival), "{:?}", t.arrival);
                }
                if t.arrival >= SimTime::ZERO && t.arrival < model.window_end() {
                    counts[usize::from(t.category)] += 1;
                }
            }
        }
        for (category, &n) in model.categories.iter().zip(&counts) {
            let expected =
                category.tickets_per_year * scale * f64::from(model.sim.years) * reps as f64;
            // 4.5 standard deviations: a false alarm over 17 categories has odds of about one in
            // 10,000, and a rate 11 % off is caught in a category of 1,800 expected tickets
            // (server outages), 0.4 % off in the most frequent one.
            let tolerance = 4.5 * expected.sqrt();
            assert!(
                (n as f64 - expected).abs() <= tolerance,
                "{}: {n} tickets, expected {expected:.0} ± {tolerance:.0}",
                category.id
            );
        }
    }
}
