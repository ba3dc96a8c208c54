//! Built-in defaults: the value of every key a scenario omits. Each figure names its source in
//! the project's calibration notes (`calibration.md`, section §n; F = found, D = derived,
//! E = estimate); `scenarios/README.md` lists them per key.

use crate::dist::DistSpec;
use crate::model::{PersonCost, Priority, Skill};

/// Calibration year of the figures; the default first simulated year.
pub(crate) const YEAR: i64 = 2026;
/// Mon–Fri 08:00–17:00 (§2, E from published service windows).
pub(crate) const BUSINESS_HOURS: &str = "mon-fri 08:00-17:00";

/// Replications: enough for a 95 % CI on yearly means of a few percent (E).
pub(crate) const REPLICATIONS: i64 = 1000;
/// Master seed.
pub(crate) const SEED: i64 = 1;
/// Four weeks let the backlog reach its usual level before measuring (E).
pub(crate) const WARMUP_DAYS: i64 = 28;
/// One measured year.
pub(crate) const YEARS: i64 = 1;
/// Two months for the window's open tickets to be resolved and measured (E).
pub(crate) const DRAIN_DAYS: i64 = 60;
/// P4 resolution target of 5 business days (§6).
pub(crate) const AGED_AFTER_BUSINESS_DAYS: i64 = 5;

/// Weekday pattern of business arrivals: Monday +20 %, Friday −15 % (§5, E).
pub(crate) const BUSINESS_WEEKDAY_FACTORS: [f64; 7] = [1.2, 1.0, 1.0, 1.0, 0.85, 1.0, 1.0];
/// On-site presence needed for 15 % of tickets (§5, E).
pub(crate) const ONSITE_PROBABILITY: f64 = 0.15;

/// Hands-on effort by priority and skill (§5, D/E): L1 (basic) mean 20 min, L2 mean 2 h,
/// P1 major fix mean 4 h; lognormal with a coefficient of variation of 1 (E).
pub(crate) fn effort_h(priority: Priority, skill: Skill) -> DistSpec {
    let mean = match (priority, skill) {
        (Priority::P1, _) => 4.0,
        (_, Skill::Basic) => 1.0 / 3.0,
        _ => 2.0,
    };
    DistSpec::LogNormalMeanSd { mean, sd: mean }
}

/// Share of an affected user's work lost while the ticket is open, by priority: P1 0.39
/// (productivity falls to 61 % during outages, CA Technologies, §8), P2 0.6 (§8, D/E),
/// P3 0.1 and P4 0 (E: they do not block work).
pub(crate) fn productivity_loss(priority: Priority) -> f64 {
    [0.39, 0.6, 0.1, 0.0][priority.index()]
}

/// Probability that a ticket needs system knowledge: none for `basic` work, 0.3 otherwise (E).
pub(crate) fn knowledge_probability(skill: Skill) -> f64 {
    if skill == Skill::Basic { 0.0 } else { 0.3 }
}

/// Calibration SLA targets (§6): response P1 1 h, P2 4 h, P3 8 h, P4 16 h (2 business days).
pub(crate) const RESPONSE_H: [f64; 4] = [1.0, 4.0, 8.0, 16.0];
/// Resolution P1 4 h, P2 8 h, P3 24 h (3 business days), P4 40 h (5 business days) (§6).
pub(crate) const RESOLUTION_H: [f64; 4] = [4.0, 8.0, 24.0, 40.0];

/// Technicians of an MSP pool (E).
pub(crate) const TECHNICIANS: i64 = 4;
/// Share of their working hours MSP technicians spend on tickets, from which the other
/// clients' PCs are derived when not given (§7, F: 70–80 % utilisation on tickets,
/// GiantRocketship).
pub(crate) const TARGET_UTILISATION: f64 = 0.75;
/// MSP service window (§6: 8x5 is the common base tier).
pub(crate) const COVERAGE: &str = "8x5";
/// 45 min each way, 20–90 min (§5, E).
pub(crate) fn travel_h() -> DistSpec {
    DistSpec::Triangular {
        min: 0.33,
        mode: 0.75,
        max: 1.5,
    }
}
/// An MSP documents by contract (E).
pub(crate) const MSP_DOCUMENTATION_QUALITY: f64 = 0.9;

/// Emergency help is called for P1 and P2 (E).
pub(crate) const EMERGENCY_PRIORITIES: [bool; 4] = [true, true, false, false];
/// Finding an ad-hoc provider takes hours to a day (E).
pub(crate) fn search_delay_h() -> DistSpec {
    DistSpec::LogNormalMedianP90 {
        median: 6.0,
        p90: 24.0,
    }
}
/// Break-fix rate 95 €/h (§4) with the +100 % surcharge §4 lists for nights and weekends,
/// which ad-hoc jobs without a contract are charged like (E).
pub(crate) const HOURLY_RATE_EUR: f64 = 190.0;
/// Call-out fee of an ad-hoc engagement (E).
pub(crate) const CALLOUT_FEE_EUR: f64 = 250.0;
/// A normal ticket waits a week, a request two, before the company calls help for it too
/// (E: the P3 resolution target is 3 business days and P4's 5, §6; a company without anybody
/// present lets them pass before it pays for ad-hoc help).
pub(crate) const ESCALATE_AFTER_BUSINESS_DAYS: [Option<u32>; 4] = [None, None, Some(5), Some(10)];
/// Interim cover is engaged (E: the whitepaper's example organises help once the admin's
/// illness runs for weeks).
pub(crate) const INTERIM: bool = true;
/// Three weeks of illness or vacancy before the company looks for an interim (E: beyond the
/// usual 1–2-week illness, §1, and the longest vacation block).
pub(crate) const INTERIM_AFTER_DAYS: f64 = 21.0;
/// Finding a freelance or agency admin takes one to several weeks (E).
pub(crate) fn interim_search_days() -> DistSpec {
    DistSpec::LogNormalMedianP90 {
        median: 10.0,
        p90: 30.0,
    }
}
/// Day rate of an interim admin: 8 hours at the break-fix rate of 95 €/h (§4, F older) plus
/// some 5 % for a time contract (E; freelance rates vary widely).
pub(crate) const INTERIM_DAY_RATE_EUR: f64 = 800.0;

/// Undocumented knowledge costs hours to a day and a half (E).
pub(crate) fn knowledge_penalty_h() -> DistSpec {
    DistSpec::LogNormalMedianP90 {
        median: 3.0,
        p90: 12.0,
    }
}
/// Documentation quality of a setup with one in-house admin (E).
pub(crate) const DOCUMENTATION_SINGLE: f64 = 0.3;
/// Documentation quality of a setup with several in-house admins (E).
pub(crate) const DOCUMENTATION_TEAM: f64 = 0.6;

/// Share of working time a key user spends on IT (§4, E: 10 % of an FTE).
pub(crate) const KEY_USER_IT_SHARE: f64 = 0.1;

/// Gross salary of a key user, an employee of the general workforce (§4, E: 50 k€).
pub(crate) const KEY_USER_SALARY_EUR: f64 = 50_000.0;

/// The absence and cost settings of a profile.
#[derive(Clone, Debug)]
pub(crate) struct ProfileDefaults {
    pub(crate) vacation_days_per_year: i64,
    pub(crate) vacation_summer_block_days: i64,
    pub(crate) vacation_block_days: i64,
    pub(crate) illness_episodes_per_year: f64,
    pub(crate) illness_duration_days: DistSpec,
    pub(crate) illness_winter_amplitude: f64,
    pub(crate) quit_probability_per_year: f64,
    pub(crate) notice_days: f64,
    pub(crate) time_to_fill_days: DistSpec,
    pub(crate) rampup_days: f64,
    pub(crate) rampup_start_productivity: f64,
    pub(crate) training_days_per_year: i64,
    pub(crate) meeting_share: f64,
    /// Salary, overhead and replacement cost; `model::PersonCost::default()` cites §4.
    pub(crate) cost: PersonCost,
}

/// Names of the built-in profiles, usable without a `[profiles.<name>]` table.
pub(crate) const BUILTIN_PROFILES: [&str; 3] = ["it-admin", "employee", "msp-technician"];

/// Episode lengths [calendar days] (§1, Barmer bins, F; bin means D; tail E): 1–3 d 30 %,
/// 4–7 d 31 %, 8–14 d 21 %, 15–28 d 11 %, 29–42 d 3 %, ≥43 d 4 % as a lognormal with median
/// 70 d and P90 240 d (mean ≈ 111 d). Overall mean ≈ 12.5 days.
pub(crate) fn illness_duration_days() -> DistSpec {
    let u = |min: f64, max: f64| DistSpec::Uniform { min, max };
    DistSpec::Empirical {
        bins: vec![
            (0.30, u(1.0, 3.0)),
            (0.31, u(4.0, 7.0)),
            (0.21, u(8.0, 14.0)),
            (0.11, u(15.0, 28.0)),
            (0.03, u(29.0, 42.0)),
            (
                0.04,
                DistSpec::LogNormalMedianP90 {
                    median: 70.0,
                    p90: 240.0,
                },
            ),
        ],
    }
}

/// The in-house IT administrator (§1–3).
pub(crate) fn it_admin() -> ProfileDefaults {
    ProfileDefaults {
        // §2: 30 days (F); a two-week summer block plus one-week blocks (E).
        vacation_days_per_year: 30,
        vacation_summer_block_days: 10,
        vacation_block_days: 5,
        // §1: 1.1 episodes (D) × 12.5-day mean ≈ 13.4 calendar days (DAK, IT jobs).
        illness_episodes_per_year: 1.1,
        illness_duration_days: illness_duration_days(),
        // §1: Q1 about +15 % over Q3 (D).
        illness_winter_amplitude: 0.08,
        // §3: 10 %/yr (E), 3 months' notice (E), 7 months to fill with P(>10 months) ≈ 20 %
        // (Bitkom, F): lognormal median 160 d, P90 420 d (mean ≈ 212 d, D).
        quit_probability_per_year: 0.10,
        notice_days: 90.0,
        time_to_fill_days: DistSpec::LogNormalMedianP90 {
            median: 160.0,
            p90: 420.0,
        },
        // §3: 3 months from 30 % to full productivity (E).
        rampup_days: 90.0,
        rampup_start_productivity: 0.3,
        // §2: 3–5 training days (E); meetings and other non-ticket work 10 % (E).
        training_days_per_year: 4,
        meeting_share: 0.1,
        // §4: 64 k€ gross (Entgeltatlas 2024, F/D), +10 k€ overhead (E), replacement cost
        // 1.0 × salary (§3, E within 0.5-2.0).
        cost: PersonCost::default(),
    }
}

/// The general workforce, e.g. key users (§1–3, §9 D).
pub(crate) fn employee() -> ProfileDefaults {
    ProfileDefaults {
        // §1: 19.7 calendar days (DAK 2024, F) ÷ 12.5-day mean episode ≈ 1.6 episodes (D).
        illness_episodes_per_year: 1.6,
        // A colleague takes over the key-user role after the hand-over; no job ad needed (E).
        time_to_fill_days: DistSpec::LogNormalMedianP90 {
            median: 30.0,
            p90: 90.0,
        },
        rampup_days: 30.0,
        training_days_per_year: 2,
        // A key user's IT time is limited by `it_share`, not by meetings.
        meeting_share: 0.0,
        cost: PersonCost {
            salary_eur_per_year: KEY_USER_SALARY_EUR,
            ..PersonCost::default()
        },
        ..it_admin()
    }
}

/// An MSP technician: an IT professional with the service providers' turnover (§3).
pub(crate) fn msp_technician() -> ProfileDefaults {
    ProfileDefaults {
        // §3: 20 % (ISG 2021: 21.2 % at IT service providers, F).
        quit_probability_per_year: 0.20,
        ..it_admin()
    }
}

/// The built-in profile of that name.
pub(crate) fn builtin_profile(name: &str) -> Option<ProfileDefaults> {
    match name {
        "it-admin" => Some(it_admin()),
        "employee" => Some(employee()),
        "msp-technician" => Some(msp_technician()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;

    #[test]
    fn default_distributions_are_valid_and_match_the_calibration() {
        let illness = Dist::new(&illness_duration_days()).unwrap();
        assert!((illness.mean() - 12.5).abs() < 0.3, "{}", illness.mean());
        let ttf = Dist::new(&it_admin().time_to_fill_days).unwrap();
        assert!((ttf.mean() - 213.0).abs() < 5.0, "{}", ttf.mean());
        for spec in [travel_h(), search_delay_h(), knowledge_penalty_h()] {
            Dist::new(&spec).unwrap();
        }
        for p in Priority::ALL {
            for s in Skill::ALL {
                Dist::new(&effort_h(p, s)).unwrap();
            }
        }
        for name in BUILTIN_PROFILES {
            assert!(builtin_profile(name).is_some());
        }
    }

    #[test]
    fn profile_costs_follow_the_calibration() {
        // §4: admins 64 k€ + 10 k€ overhead (the model's defaults); key users 50 k€ (E).
        assert_eq!(it_admin().cost, PersonCost::default());
        assert_eq!(it_admin().cost.salary_eur_per_year, 64_000.0);
        let employee = employee().cost;
        assert_eq!(employee.salary_eur_per_year, 50_000.0);
        assert_eq!(
            employee.overhead_eur_per_year,
            PersonCost::default().overhead_eur_per_year
        );
    }
}
