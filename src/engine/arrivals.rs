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

/// Draws the attributes of one ticket arriving at `arrival`.
// Inlined so that the ticket is built in the output vector: returned through the stack, its
// copy stalled on store forwarding, a fifth of the time of drawing tickets in `perf`.
#[inline(always)]
fn draw_ticket(
    index: usize,
    category: &Category,
    client: Client,
    arrival: SimTime,
    attrs: &mut SimRng,
) -> Ticket {
    // A fixed number of draws per ticket keeps the attribute stream aligned whatever the
    // values: on-site, effort, knowledge need, knowledge penalty.
    let onsite_u: f64 = attrs.random();
    let effort_h = category.effort_h.sample(attrs);
    let knowledge_u: f64 = attrs.random();
    let knowledge_draw: f64 = attrs.random();
    Ticket {
        arrival,
        category: index as u16,
        client,
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

/// Whose tickets a category stream produces, and from which random streams.
struct Source<'a> {
    client: Client,
    /// Rate multiplier: 1 for the company; other clients' PCs / company PCs for an MSP pool.
    scale: f64,
    /// Stream entity.
    entity: &'a str,
    /// Streams of arrival times and of attributes.
    purposes: (Purpose, Purpose),
}

/// The replication-independent part of the arrival processes: each category's cumulative
/// intensity and its normalisation, computed once per model.
pub struct Arrivals {
    /// Per category: the intensity and the weighted seconds per measured year, or `None` for
    /// scheduled categories.
    intensities: Vec<Option<(Intensity, f64)>>,
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
                        Intensity::new(&model.business, |day| f[calendar.weekday_index(day)])
                    }
                    ArrivalPattern::Always => {
                        Intensity::new(&IntervalSet::span(model.start(), model.end()), |_| 1.0)
                    }
                };
                // Normalise so that the measured window holds `tickets_per_year` per year in
                // expectation, whatever the weekday factors and the number of holidays.
                let per_year = intensity.between(SimTime::ZERO, model.window_end())
                    / f64::from(model.sim.years);
                Some((intensity, per_year))
            })
            .collect();
        Arrivals { intensities }
    }

    /// Draws all tickets of category `index` from `source` over the model's span.
    fn category_tickets(
        &self,
        model: &Model,
        replication: u64,
        index: usize,
        source: Source<'_>,
        out: &mut Vec<Ticket>,
    ) {
        let Source {
            client,
            scale,
            entity,
            purposes,
        } = source;
        let category = &model.categories[index];
        let mut times: SimRng = rng::stream(model.sim.seed, replication, purposes.0, entity);
        let mut attrs: SimRng = rng::stream(model.sim.seed, replication, purposes.1, entity);
        let Some((intensity, per_year)) = &self.intensities[index] else {
            // Scheduled what-if incidents are the company's own; other clients do not share them.
            if let (ArrivalPattern::Scheduled(at), Client::Own) = (&category.pattern, client) {
                for &t in at {
                    out.push(draw_ticket(index, category, client, t, &mut attrs));
                }
            }
            return;
        };
        if *per_year <= 0.0 || category.tickets_per_year <= 0.0 || scale <= 0.0 {
            return;
        }
        let rate = category.tickets_per_year * scale / per_year; // arrivals per weighted second
        let (mut x, mut segment) = (0.0, 0);
        loop {
            let gap: f64 = Exp1.sample(&mut times);
            x += gap / rate;
            if x >= intensity.total {
                break;
            }
            let at = intensity.invert_from(x, &mut segment);
            out.push(draw_ticket(index, category, client, at, &mut attrs));
        }
    }

    /// All tickets of the company over the model's span (warm-up, window and drain), sorted by
    /// arrival time, then category index, then draw order.
    pub fn own_tickets(&self, model: &Model, replication: u64) -> Vec<Ticket> {
        let mut out = Vec::with_capacity(expected_tickets(model, 1.0));
        for (i, c) in model.categories.iter().enumerate() {
            let source = Source {
                client: Client::Own,
                scale: 1.0,
                entity: &c.id,
                purposes: (Purpose::IncidentArrivals, Purpose::IncidentAttributes),
            };
            self.category_tickets(model, replication, i, source, &mut out);
        }
        // Stable sort: equal arrival times keep category order, then draw order.
        out.sort_by_key(|t| t.arrival);
        out
    }

    /// Tickets of the other clients of MSP contract `contract`: the company's categories scaled
    /// to the other clients' PCs, from the contract's own streams. They never need our system
    /// knowledge.
    ///
    /// Sorted by category index, then arrival time: each category's run is in time order, and
    /// a stable sort by arrival of this list (after the company's tickets) gives the order of
    /// the run. Sorting once, after merging, saves a sort of thousands of tickets.
    pub fn other_client_tickets(
        &self,
        model: &Model,
        replication: u64,
        contract: usize,
    ) -> Vec<Ticket> {
        let c = &model.contracts[contract];
        let scale = f64::from(c.other_clients_pcs) / f64::from(model.company.pcs.max(1));
        let mut out = Vec::with_capacity(expected_tickets(model, scale));
        for (i, cat) in model.categories.iter().enumerate() {
            let entity = format!("{}/{}", c.id, cat.id);
            let source = Source {
                client: Client::Other(contract as u16),
                scale,
                entity: &entity,
                purposes: (Purpose::MspOtherClients, Purpose::MspOtherClientAttributes),
            };
            self.category_tickets(model, replication, i, source, &mut out);
        }
        for t in &mut out {
            t.needs_knowledge = false;
        }
        out
    }
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
}
