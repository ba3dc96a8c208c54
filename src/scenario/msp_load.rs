//! The load of an MSP contract's technician pool, from the inputs alone (no simulation).
//!
//! The pool serves the company and the MSP's other clients, whose tickets follow the company's
//! categories per PC (`engine::arrivals`, `other_client_tickets`). Its *offered load* is the
//! technician hours those tickets ask for in a year; its *capacity* is the hours its
//! technicians can work on tickets in a year. Their ratio is the utilisation the pool would
//! show in the long run: near or above one, its queue grows all year and the results depend
//! on the warm-up and the horizon rather than on the contract.
//!
//! Both sides are expectations, so they are first-order: scheduled incidents and the knowledge
//! penalty of a setup are left out of the load, P1 tickets that a 24x7 on-call service takes
//! at night are counted as the pool's, and the vacancy of a post uses the mean time to fill
//! (a lower bound of the mean vacancy, Jensen). The simulation measures the rest.

use crate::model::{AbsenceProfile, Model, MspContract};
use crate::time::{DAY, HOUR, SimTime};

/// Utilisation above which [`warnings`] flags a contract: queueing delays grow without bound
/// as the utilisation nears one, and above about 90 % a year's results depend on where the
/// queue stood when it began.
pub const WARN_UTILISATION: f64 = 0.9;

/// Technician hours one PC's tickets ask for in a year: per category, tickets per PC and year
/// × (mean effort + on-site probability × travel there and back), the effort stretched by the
/// technicians' meeting share (they work on tickets at `1 − meeting_share` of their pace).
pub fn offered_hours_per_pc_year(model: &Model, contract: &MspContract) -> f64 {
    let pcs = f64::from(model.company.pcs.max(1));
    let travel_h = 2.0 * contract.travel_h.mean();
    let meeting = contract
        .technicians
        .first()
        .map_or(0.0, |t| t.absence.meeting_share);
    model
        .categories
        .iter()
        .map(|c| {
            c.tickets_per_year / pcs
                * (c.effort_h.mean() / (1.0 - meeting).max(1e-9) + c.onsite_probability * travel_h)
        })
        .sum()
}

/// Long-run share of a technician's working time lost to absences: vacation and training
/// (working days out of the working days of a year), illness (calendar share), vacancy between
/// a resignation and the next hire, and the productivity a new hire lacks while ramping up
/// (linear from the start productivity to 1).
pub fn absent_share(profile: &AbsenceProfile, working_days_per_year: f64) -> f64 {
    let planned = if working_days_per_year > 0.0 {
        f64::from(profile.vacation.days_per_year + profile.training_days_per_year)
            / working_days_per_year
    } else {
        0.0
    };
    let ill = profile.illness.sick_share();
    let at = &profile.attrition;
    let (vacant, rampup) = if at.quit_probability_per_year > 0.0 {
        // A post's renewal cycle: in post until a resignation (constant hazard), then the
        // later of notice and time to fill; vacant for the part of the latter past the notice.
        let in_post_days = 365.25 / -(1.0 - at.quit_probability_per_year.min(0.999_999)).ln();
        let fill = at.time_to_fill_days.mean();
        let cycle = in_post_days + at.notice_days.max(fill);
        (
            (fill - at.notice_days).max(0.0) / cycle,
            (1.0 - at.rampup_start_productivity) / 2.0 * at.rampup_days / cycle,
        )
    } else {
        (0.0, 0.0)
    };
    (planned + ill + vacant + rampup).min(1.0)
}

/// Hours the contract's technicians can work on tickets in a year: the coverage window's hours
/// in the measured years (without public holidays if it observes them), per year, less each
/// technician's [`absent_share`].
pub fn capacity_hours_per_year(model: &Model, contract: &MspContract) -> f64 {
    let end = model.window_end();
    let years = f64::from(model.sim.years.max(1));
    let window = model
        .calendar
        .schedule(&contract.coverage, contract.coverage_observes_holidays);
    let hours = window.measure_between(SimTime::ZERO, end) as f64 / HOUR as f64 / years;
    let days = window
        .intervals()
        .filter(|&(a, _)| a >= SimTime::ZERO && a < end)
        .map(|(a, _)| a.secs().div_euclid(DAY))
        .fold((0_u32, i64::MIN), |(n, last), d| {
            (n + u32::from(d != last), d)
        })
        .0;
    let days = f64::from(days) / years;
    contract
        .technicians
        .iter()
        .map(|t| hours * (1.0 - absent_share(&t.absence, days)))
        .sum()
}

/// The pool's expected utilisation: the company's and the other clients' offered hours over
/// the capacity (∞ without capacity).
pub fn utilisation(model: &Model, contract: &MspContract) -> f64 {
    let pcs = f64::from(model.company.pcs) + f64::from(contract.other_clients_pcs);
    let capacity = capacity_hours_per_year(model, contract);
    let offered = pcs * offered_hours_per_pc_year(model, contract);
    if capacity > 0.0 {
        offered / capacity
    } else if offered > 0.0 {
        f64::INFINITY
    } else {
        0.0
    }
}

/// The other clients' PCs that bring the pool to `target` utilisation with the company's:
/// the PCs the capacity serves at that utilisation, less the company's, at least 0.
pub fn other_clients_for(model: &Model, contract: &MspContract, target: f64) -> u32 {
    let per_pc = offered_hours_per_pc_year(model, contract);
    if per_pc <= 0.0 {
        return 0;
    }
    let served = target * capacity_hours_per_year(model, contract) / per_pc;
    (served - f64::from(model.company.pcs))
        .round()
        .clamp(0.0, 1_000_000.0) as u32
}

/// A contract whose pool is loaded beyond [`WARN_UTILISATION`].
#[derive(Clone, Debug, PartialEq)]
pub struct LoadWarning {
    /// Contract id.
    pub contract: String,
    /// Expected utilisation of its technicians (see [`utilisation`]).
    pub utilisation: f64,
}

impl std::fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "msp.{}: the technicians would be {:.0} % busy (company and other clients' tickets \
             over their working hours); above {:.0} % the queue may grow all year and results \
             depend on the warm-up; lower other_clients_pcs or add technicians",
            self.contract,
            100.0 * self.utilisation,
            100.0 * WARN_UTILISATION
        )
    }
}

/// The contracts of `model` whose expected utilisation exceeds [`WARN_UTILISATION`].
pub fn warnings(model: &Model) -> Vec<LoadWarning> {
    model
        .contracts
        .iter()
        .filter_map(|c| {
            let u = utilisation(model, c);
            (u > WARN_UTILISATION).then(|| LoadWarning {
                contract: c.id.clone(),
                utilisation: u,
            })
        })
        .collect()
}
