//! The cost model: what a setup costs per year, including the downtime it leaves.
//!
//! Costs are computed per replication from what happened in it, so they have distributions and
//! confidence intervals like every other metric. All figures are € per simulated year.
//!
//! - *Staff* (in-house people of role admin): gross salary × (1 + employer contributions) +
//!   overhead, times their IT share, for the time the position is filled; pay continues during
//!   illness for `sick_pay_days` per episode (German EFZG: 6 weeks), after which statutory sick
//!   pay replaces it.
//! - *Recruiting*: per resignation, a share of the gross salary.
//! - *Onboarding*: the loaded cost of the productivity a new hire lacks during ramp-up.
//! - *Key users*: the hours they actually spend on tickets, at their loaded hourly cost (their
//!   main work left undone).
//! - *MSP*: fee per PC and month, the 24x7 P1 option, hours beyond the included ones at the
//!   hourly rate (the year's hours against twelve months' allowance), work outside the coverage
//!   window at the hourly rate plus the after-hours surcharge, on-site visit fees, minus SLA
//!   credits for late P1/P2 resolutions (capped).
//! - *Emergency help*: call-out fee per engagement plus its hours at its hourly rate.
//! - *Downtime*: user-hours lost × cost per user-hour, plus company-wide outage hours × cost per
//!   outage hour.

use super::metrics::Metrics;
use super::{Run, people::Timeline};
use crate::model::{Role, Tier};
use crate::time::{DAY, SimTime};

/// Costs of one replication, € per year.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Costs {
    /// In-house staff (salary, contributions, overhead).
    pub staff: f64,
    /// Recruiting after resignations.
    pub recruiting: f64,
    /// Productivity lost while new hires ramp up.
    pub onboarding: f64,
    /// Key users' time on tickets.
    pub key_user: f64,
    /// MSP fees and extra charges, net of SLA credits.
    pub msp: f64,
    /// Ad-hoc emergency help.
    pub emergency: f64,
    /// Interim cover of absent in-house admins.
    pub interim: f64,
    /// Downtime: lost user-hours and outage hours.
    pub downtime: f64,
}

impl Costs {
    /// IT cost: everything but downtime.
    pub fn it(&self) -> f64 {
        self.staff
            + self.recruiting
            + self.onboarding
            + self.key_user
            + self.msp
            + self.emergency
            + self.interim
    }

    /// Total cost including downtime.
    pub fn total(&self) -> f64 {
        self.it() + self.downtime
    }

    /// `(name, headline, description)` of every cost metric, in the order of [`Costs::values`].
    pub(super) fn catalog() -> Vec<(&'static str, bool, &'static str)> {
        vec![
            (
                "cost_staff_eur",
                false,
                "in-house staff: salary, contributions, overhead (€/year)",
            ),
            (
                "cost_recruiting_eur",
                false,
                "recruiting after resignations (€/year)",
            ),
            (
                "cost_onboarding_eur",
                false,
                "productivity new hires lack during ramp-up (€/year)",
            ),
            (
                "cost_key_user_eur",
                false,
                "key users' time on tickets (€/year)",
            ),
            (
                "cost_msp_eur",
                false,
                "MSP fees and charges net of SLA credits (€/year)",
            ),
            (
                "cost_emergency_eur",
                false,
                "ad-hoc emergency help (€/year)",
            ),
            (
                "cost_interim_eur",
                false,
                "interim cover of absent in-house admins (€/year)",
            ),
            (
                "cost_downtime_eur",
                false,
                "lost user-hours and outage hours (€/year)",
            ),
            (
                "cost_it_eur",
                false,
                "IT cost: everything but downtime (€/year)",
            ),
            (
                "cost_total_eur",
                true,
                "total cost including downtime (€/year)",
            ),
            (
                "cost_per_pc_month_eur",
                true,
                "total cost per PC and month (€)",
            ),
        ]
    }

    /// The values, in the order of [`Costs::catalog`]. `pcs` turns totals into per-PC figures.
    pub(super) fn values_for(&self, pcs: u32) -> Vec<f64> {
        vec![
            self.staff,
            self.recruiting,
            self.onboarding,
            self.key_user,
            self.msp,
            self.emergency,
            self.interim,
            self.downtime,
            self.it(),
            self.total(),
            self.total() / f64::from(pcs.max(1)) / 12.0,
        ]
    }
}

/// Seconds of `[a, b)` inside `[from, to)`.
fn overlap(a: SimTime, b: SimTime, from: SimTime, to: SimTime) -> i64 {
    (b.min(to) - a.max(from)).max(0)
}

/// Seconds of lost productivity during ramp-ups inside `[from, to)`: the integral of
/// (1 − productivity), which rises linearly from `p0` to 1 over each ramp-up.
fn rampup_loss_s(tl: &Timeline, p0: f64, from: SimTime, to: SimTime) -> f64 {
    tl.rampups
        .iter()
        .map(|&(a, b)| {
            let len = (b - a) as f64;
            let (x, y) = (a.max(from), b.min(to));
            if y <= x || len <= 0.0 {
                return 0.0;
            }
            // ∫ (1 − p0)(1 − (t − a)/len) dt from x to y.
            let u = |t: SimTime| (t - a) as f64;
            let (ux, uy) = (u(x), u(y));
            (1.0 - p0) * ((uy - ux) - (uy * uy - ux * ux) / (2.0 * len))
        })
        .sum()
}

/// Computes the costs of a finished run from its responders and metrics.
pub(super) fn costs(run: &Run<'_>, m: &Metrics) -> Costs {
    let model = run.model;
    let setup = &model.setups[run.setup];
    let cs = &model.company.cost;
    let years = f64::from(model.sim.years);
    let (w0, w1) = (SimTime::ZERO, model.window_end());
    let year_s = (w1 - w0) as f64 / years;
    let mut c = Costs::default();

    for r in &run.responders {
        let Some(p) = r.person else { continue };
        let person = &model.people[p];
        let salary = person.cost.salary_eur_per_year;
        let tl = &r.timeline;
        match person.role {
            Role::Admin => {
                let loaded = salary * (1.0 + cs.employer_contribution_share)
                    + person.cost.overhead_eur_per_year;
                let vacant: i64 = tl
                    .vacancy
                    .intervals()
                    .map(|(a, b)| overlap(a, b, w0, w1))
                    .sum();
                let sick_pay_s = (cs.sick_pay_days * DAY as f64) as i64;
                let unpaid_sick: i64 = tl
                    .sick
                    .intervals()
                    .map(|(a, b)| overlap(a + sick_pay_s, b, w0, w1))
                    .sum();
                let paid_share = ((w1 - w0) - vacant - unpaid_sick) as f64 / (w1 - w0) as f64;
                c.staff += loaded * person.it_share * paid_share;
                let quits = tl
                    .resignations
                    .iter()
                    .filter(|&&t| t >= w0 && t < w1)
                    .count();
                c.recruiting +=
                    quits as f64 * salary * person.cost.recruiting_share_of_salary / years;
                let p0 = person.absence.attrition.rampup_start_productivity;
                c.onboarding +=
                    loaded * person.it_share * rampup_loss_s(tl, p0, w0, w1) / year_s / years;
            }
            Role::KeyUser => {
                let hours_per_year = person.hours.hours_per_week() * 52.0;
                let hourly =
                    salary * (1.0 + cs.employer_contribution_share) / hours_per_year.max(1.0);
                c.key_user += hours_of(r.own_work_s) / years * hourly;
            }
            Role::Technician => {}
        }
    }

    for tier in &setup.tiers {
        match tier {
            Tier::Msp(ci) => {
                let contract = &model.contracts[*ci];
                let price = &contract.price;
                let fee = price.fee_eur_per_pc_month * f64::from(model.company.pcs) * 12.0;
                let option = if contract.p1_always {
                    price.p1_24x7_eur_per_month * 12.0
                } else {
                    0.0
                };
                let (mut regular_h, mut on_call_h, mut visits) = (0.0, 0.0, 0u32);
                for r in run.responders.iter().filter(|r| r.contract == Some(*ci)) {
                    let h = hours_of(r.own_work_s) / years;
                    if r.p1_only {
                        on_call_h += h
                    } else {
                        regular_h += h
                    }
                    visits += r.onsite_visits;
                }
                let extra_h = price
                    .included_hours_per_month
                    .map_or(0.0, |inc| (regular_h - inc * 12.0).max(0.0));
                let credits = (m.sla_breaches * price.sla_credit_eur_per_breach)
                    .min(price.sla_credit_cap_share * fee);
                c.msp += fee
                    + option
                    + extra_h * price.hourly_rate_eur
                    + on_call_h * price.hourly_rate_eur * (1.0 + price.after_hours_surcharge)
                    + f64::from(visits) / years * price.onsite_visit_eur
                    - credits;
            }
            Tier::Emergency(help) => {
                c.emergency +=
                    m.emergency_calls * help.callout_fee + m.emergency_hours * help.hourly_rate;
                // Interims are paid per day engaged, like a temporary admin.
                c.interim += m.interim_days * help.interim.as_ref().map_or(0.0, |i| i.day_rate);
            }
            Tier::InHouse(_) | Tier::KeyUser(_) => {}
        }
    }

    c.downtime =
        m.user_hours_lost * cs.downtime_eur_per_user_hour + m.outage_hours * cs.outage_eur_per_hour;
    c
}

fn hours_of(secs: i64) -> f64 {
    secs as f64 / 3600.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interval::IntervalSet;

    #[test]
    fn rampup_loss_is_the_area_above_the_productivity_line() {
        let mut tl = Timeline::always_present(IntervalSet::empty());
        tl.rampups.push((SimTime(0), SimTime(100)));
        // Whole ramp-up from 30 %: the lost area is 0.7 × 100 / 2.
        assert!((rampup_loss_s(&tl, 0.3, SimTime(0), SimTime(1000)) - 35.0).abs() < 1e-9);
        // First half: 0.7 × (50 − 50²/200) = 0.7 × 37.5.
        assert!((rampup_loss_s(&tl, 0.3, SimTime(0), SimTime(50)) - 26.25).abs() < 1e-9);
    }
}
