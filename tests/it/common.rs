//! Builders for models made in code: the analytic and trace tests control every feature
//! directly, without going through a scenario file.

use covsim::calendar::{Calendar, HolidayRule, WeeklyHours};
use covsim::dist::Dist;
use covsim::model::*;
use covsim::time::SimTime;

/// An absence profile with every absence switched off.
pub(crate) fn no_absences() -> AbsenceProfile {
    AbsenceProfile {
        vacation: VacationRule {
            days_per_year: 0,
            summer_block_days: 0,
            block_days: 5,
        },
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
pub(crate) fn admin(id: &str, hours: WeeklyHours) -> Person {
    Person {
        id: id.to_string(),
        role: Role::Admin,
        skills: SkillSet::ALL,
        hours,
        absence: no_absences(),
        it_share: 1.0,
        cost: PersonCost::default(),
    }
}

/// A category with one ticket type, users 1, loss 1, no on-site, no knowledge need.
pub(crate) fn category(
    id: &str,
    per_year: f64,
    pattern: ArrivalPattern,
    priority: Priority,
    effort_h: Dist,
) -> Category {
    Category {
        id: id.to_string(),
        tickets_per_year: per_year,
        pattern,
        weekday_factors: [1.0; 7],
        month_factors: [1.0; 12],
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
pub(crate) fn zero_sla() -> SlaTargets {
    SlaTargets {
        response_h: [0.0; 4],
        resolution_h: [0.0; 4],
    }
}

/// A setup with the given tiers.
pub(crate) fn setup(name: &str, tiers: Vec<Tier>) -> Setup {
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
pub(crate) fn model(
    year: i32,
    business: WeeklyHours,
    holidays: HolidayRule,
    warmup_days: u32,
    years: u32,
    drain_days: u32,
) -> Model {
    let mut days = 0;
    for y in year..year + years as i32 {
        days += if chrono::NaiveDate::from_ymd_opt(y, 2, 29).is_some() {
            366
        } else {
            365
        };
    }
    let from = SimTime::day_start(-i64::from(warmup_days));
    let to = SimTime::day_start(days + i64::from(drain_days));
    let calendar = Calendar::new(year, from, to, holidays);
    let always = business == WeeklyHours::always();
    let business_set = calendar.schedule(&business, !always);
    Model {
        name: "test".to_string(),
        company: Company {
            pcs: 50,
            users: 50,
            hours: business,
            cost: CostSettings::default(),
        },
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
        report: ReportSettings::default(),
    }
}

/// Office hours Mon–Fri 08:00–17:00.
pub(crate) fn office() -> WeeklyHours {
    WeeklyHours::weekdays(8 * 60, 17 * 60)
}

/// A 2026 company in Bavaria with office hours, no warm-up, 30 days of drain, nothing else yet.
pub(crate) fn bavarian_company() -> Model {
    use covsim::calendar::FederalState;
    model(
        2026,
        office(),
        HolidayRule::Germany(Some(FederalState::BY)),
        0,
        1,
        30,
    )
}

/// An M/M/c model: `c` admins working 24x7 without absences, Poisson arrivals at all times
/// with rate `lambda_per_h`, exponential effort with mean `mean_h`.
pub(crate) fn mmc(c: usize, lambda_per_h: f64, mean_h: f64, warmup_days: u32, years: u32) -> Model {
    let mut m = model(
        2026,
        WeeklyHours::always(),
        HolidayRule::None,
        warmup_days,
        years,
        30,
    );
    m.categories.push(category(
        "work",
        lambda_per_h * 24.0 * 365.0,
        ArrivalPattern::Always,
        Priority::P3,
        Dist::exponential(mean_h),
    ));
    // The category rate is per 365-day year; keep the window at 365-day years (2026, 2027).
    for i in 0..c {
        m.people
            .push(admin(&format!("admin{i}"), WeeklyHours::always()));
    }
    m.setups
        .push(setup("mmc", vec![Tier::InHouse((0..c).collect())]));
    m
}

/// The calibration's illness-length bins (share of episodes, length in days) with the given
/// distribution for the long tail of 43 days and more.
pub(crate) fn illness_bins(tail: covsim::dist::DistSpec) -> Vec<(f64, covsim::dist::DistSpec)> {
    use covsim::dist::DistSpec::Uniform;
    let u = |min: f64, max: f64| Uniform { min, max };
    vec![
        (0.30, u(1.0, 3.0)),
        (0.31, u(4.0, 7.0)),
        (0.21, u(8.0, 14.0)),
        (0.11, u(15.0, 28.0)),
        (0.03, u(29.0, 42.0)),
        (0.04, tail),
    ]
}

/// An MSP contract with calibration-like targets whose technicians work `coverage`.
pub(crate) fn msp_contract(
    id: &str,
    technicians: Vec<Person>,
    coverage: WeeklyHours,
    travel_h: Dist,
    other_clients_pcs: u32,
    p1_always: bool,
) -> MspContract {
    MspContract {
        id: id.into(),
        technicians,
        coverage,
        coverage_observes_holidays: true,
        p1_always,
        response_h: [1.0, 4.0, 8.0, 16.0],
        resolution_h: [4.0, 8.0, 24.0, 40.0],
        travel_h,
        other_clients_pcs,
        target_utilisation: None,
        documentation_quality: 0.9,
        price: MspPrice::default(),
    }
}

/// A realistic absence profile: vacation in blocks, long-tailed illness, attrition.
pub(crate) fn realistic_absences() -> AbsenceProfile {
    use covsim::dist::DistSpec;
    let tail = DistSpec::LogNormalMedianP90 {
        median: 70.0,
        p90: 200.0,
    };
    let illness = DistSpec::Empirical {
        bins: illness_bins(tail),
    };
    AbsenceProfile {
        vacation: VacationRule {
            days_per_year: 30,
            summer_block_days: 10,
            block_days: 5,
        },
        illness: IllnessRule {
            episodes_per_year: 1.1,
            duration_days: Dist::new(&illness).unwrap(),
            winter_amplitude: 0.15,
        },
        attrition: AttritionRule {
            quit_probability_per_year: 0.10,
            notice_days: 90.0,
            time_to_fill_days: Dist::new(&DistSpec::LogNormalMedianP90 {
                median: 200.0,
                p90: 320.0,
            })
            .unwrap(),
            rampup_days: 90.0,
            rampup_start_productivity: 0.3,
        },
        training_days_per_year: 4,
        meeting_share: 0.1,
        planned: Vec::new(),
    }
}

/// A 50-PC company in Bavaria with every feature switched on and the four setups:
/// single admin (+ emergency help), two admins, MSP (with other clients, P1 on-call), hybrid.
pub(crate) fn realistic() -> Model {
    use covsim::calendar::FederalState;
    let office = WeeklyHours::weekdays(8 * 60, 17 * 60);
    let mut m = model(
        2026,
        office,
        HolidayRule::Germany(Some(FederalState::BY)),
        28,
        1,
        60,
    );
    let c = |id: &str,
             per_year: f64,
             pattern: ArrivalPattern,
             p: Priority,
             skill: Skill,
             effort: Dist| {
        let mut cat = category(id, per_year, pattern, p, effort);
        cat.skill = skill;
        cat
    };
    m.categories = vec![
        c(
            "password",
            150.0,
            ArrivalPattern::Business,
            Priority::P3,
            Skill::Basic,
            Dist::exponential(0.3),
        ),
        c(
            "printer",
            60.0,
            ArrivalPattern::Business,
            Priority::P4,
            Skill::Basic,
            Dist::exponential(0.5),
        ),
        c(
            "software",
            250.0,
            ArrivalPattern::Business,
            Priority::P3,
            Skill::Admin,
            Dist::exponential(1.0),
        ),
        c(
            "blocked",
            120.0,
            ArrivalPattern::Business,
            Priority::P2,
            Skill::Admin,
            Dist::exponential(2.0),
        ),
        c(
            "outage",
            3.0,
            ArrivalPattern::Always,
            Priority::P1,
            Skill::Server,
            Dist::exponential(4.0),
        ),
    ];
    m.categories[1].onsite_probability = 0.5;
    m.categories[3].knowledge_probability = 0.3;
    m.categories[3].onsite_probability = 0.15;
    m.categories[4].users_affected = UsersAffected::All;
    m.categories[4].knowledge_probability = 0.8;
    for id in ["anna", "ben"] {
        let mut p = admin(id, office);
        p.absence = realistic_absences();
        m.people.push(p);
    }
    let mut karl = admin("karl", office);
    karl.role = Role::KeyUser;
    karl.skills = SkillSet::BASIC;
    karl.it_share = 0.1;
    karl.absence = realistic_absences();
    m.people.push(karl);
    let technicians = (1..=3)
        .map(|i| {
            let mut t = admin(
                &format!("silver.tech{i}"),
                WeeklyHours::weekdays(8 * 60, 18 * 60),
            );
            t.role = Role::Technician;
            t.absence = realistic_absences();
            t.absence.attrition.quit_probability_per_year = 0.2;
            t
        })
        .collect();
    let coverage = WeeklyHours::weekdays(8 * 60, 18 * 60);
    let contract = msp_contract(
        "silver",
        technicians,
        coverage,
        Dist::fixed(0.75),
        300,
        true,
    );
    m.contracts.push(contract);
    let help = EmergencyHelp {
        priorities: [true, true, false, false],
        search_delay_h: Dist::exponential(6.0),
        hours: office,
        hourly_rate: 190.0,
        callout_fee: 250.0,
        escalate_after_business_days: [None; 4],
        interim: None,
    };
    let mut single = setup(
        "Single admin",
        vec![Tier::InHouse(vec![0]), Tier::Emergency(Box::new(help))],
    );
    single.documentation_quality = 0.3;
    single.knowledge_penalty_h = Dist::fixed(3.0);
    let mut two = setup("Two admins", vec![Tier::InHouse(vec![0, 1])]);
    two.vacation_no_overlap = true;
    let msp = setup("MSP", vec![Tier::Msp(0)]);
    let hybrid = setup("Hybrid", vec![Tier::KeyUser(2), Tier::Msp(0)]);
    m.setups = vec![single, two, msp, hybrid];
    m
}
