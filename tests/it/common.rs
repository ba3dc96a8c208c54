//! Builders for models made in code: the analytic and trace tests control every feature
//! directly, without going through a scenario file.

use covsim::calendar::{Calendar, HolidayRule, WeeklyHours};
use covsim::dist::Dist;
use covsim::model::*;
use covsim::time::SimTime;

/// An absence profile with every absence switched off.
pub fn no_absences() -> AbsenceProfile {
    AbsenceProfile {
        vacation: VacationRule { days_per_year: 0, summer_block_days: 0, block_days: 5 },
        illness: IllnessRule {
            episodes_per_year: 0.0,
            duration_days: Dist::fixed(1.0),
            winter_amplitude: 0.0,
        },
        attrition: AttritionRule {
            quit_probability_per_year: 0.0,
            notice_days: 90.0,
            time_to_fill_days: Dist::fixed(200.0),
            rampup_days: 90.0,
            rampup_start_productivity: 0.3,
        },
        training_days_per_year: 0,
        meeting_share: 0.0,
        planned: Vec::new(),
    }
}

/// An in-house admin with all skills and no absences.
pub fn admin(id: &str, hours: WeeklyHours) -> Person {
    Person {
        id: id.to_string(),
        role: Role::Admin,
        skills: SkillSet::ALL,
        hours,
        absence: no_absences(),
        it_share: 1.0,
    }
}

/// A category with one ticket type, users 1, loss 1, no on-site, no knowledge need.
pub fn category(id: &str, per_year: f64, pattern: ArrivalPattern, priority: Priority, effort_h: Dist) -> Category {
    Category {
        id: id.to_string(),
        tickets_per_year: per_year,
        pattern,
        weekday_factors: [1.0; 7],
        priority,
        skill: Skill::Admin,
        onsite_probability: 0.0,
        effort_h,
        users_affected: UsersAffected::Count(1),
        productivity_loss: 1.0,
        knowledge_probability: 0.0,
    }
}

/// SLA targets of zero: `within_sla_share` of the response then is P(no wait).
pub fn zero_sla() -> SlaTargets {
    SlaTargets { response_h: [0.0; 4], resolution_h: [0.0; 4] }
}

/// A setup with the given tiers.
pub fn setup(name: &str, tiers: Vec<Tier>) -> Setup {
    Setup {
        name: name.to_string(),
        preset: "custom".to_string(),
        tiers,
        documentation_quality: 1.0,
        knowledge_penalty_h: Dist::fixed(0.0),
        vacation_no_overlap: false,
        sla: zero_sla(),
    }
}

/// A model of `year` with the given business hours and holidays; no categories, people or
/// setups yet.
pub fn model(
    year: i32,
    business: WeeklyHours,
    holidays: HolidayRule,
    warmup_days: u32,
    years: u32,
    drain_days: u32,
) -> Model {
    let mut days = 0;
    for y in year..year + years as i32 {
        days += if chrono::NaiveDate::from_ymd_opt(y, 2, 29).is_some() { 366 } else { 365 };
    }
    let from = SimTime::day_start(-i64::from(warmup_days));
    let to = SimTime::day_start(days + i64::from(drain_days));
    let calendar = Calendar::new(year, from, to, holidays);
    let always = business == WeeklyHours::always();
    let business_set = calendar.schedule(&business, !always);
    Model {
        name: "test".to_string(),
        company: Company { pcs: 50, users: 50, hours: business },
        calendar,
        business: business_set,
        categories: Vec::new(),
        people: Vec::new(),
        contracts: Vec::new(),
        setups: Vec::new(),
        sim: SimSettings {
            replications: 1,
            seed: 7,
            warmup_days,
            years,
            drain_days,
            aged_after_business_days: 5,
        },
    }
}

/// An M/M/c model: `c` admins working 24x7 without absences, Poisson arrivals at all times
/// with rate `lambda_per_h`, exponential effort with mean `mean_h`.
pub fn mmc(c: usize, lambda_per_h: f64, mean_h: f64, warmup_days: u32, years: u32) -> Model {
    let mut m = model(2026, WeeklyHours::always(), HolidayRule::None, warmup_days, years, 30);
    m.categories.push(category(
        "work",
        lambda_per_h * 24.0 * 365.0,
        ArrivalPattern::Always,
        Priority::P3,
        Dist::exponential(mean_h),
    ));
    // The category rate is per 365-day year; keep the window at 365-day years (2026, 2027).
    for i in 0..c {
        m.people.push(admin(&format!("admin{i}"), WeeklyHours::always()));
    }
    m.setups.push(setup("mmc", vec![Tier::InHouse((0..c).collect())]));
    m
}
