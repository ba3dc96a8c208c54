//! The cost model against hand calculations on fixed-distribution cases.

use covsim::dist::Dist;
use covsim::engine::Simulator;
use covsim::model::*;
use covsim::time::{DAY, HOUR, SimTime};

use crate::common;

use common::{bavarian_company as company, office};

/// 9:00 on 3 February 2026 (a Tuesday).
fn tuesday_nine(m: &Model) -> SimTime {
    m.calendar
        .time_of_date(chrono::NaiveDate::from_ymd_opt(2026, 2, 3).unwrap())
        + 9 * HOUR
}

#[test]
fn staff_emergency_and_downtime_costs_add_up_by_hand() {
    let mut m = company();
    let t = tuesday_nine(&m);
    let mut outage = common::category(
        "outage",
        0.0,
        ArrivalPattern::Scheduled(vec![t]),
        Priority::P1,
        Dist::fixed(2.0),
    );
    outage.users_affected = UsersAffected::All;
    m.categories.push(outage);
    m.people.push(common::admin("anna", office()));
    // Anna is ill from 1 January for 50 days: 42 paid, 8 unpaid (statutory sick pay).
    m.people[0].absence.planned.push(PlannedAbsence {
        from: SimTime::ZERO,
        to: SimTime::day_start(50),
        kind: AbsenceKind::Sick,
    });
    let help = EmergencyHelp {
        priorities: [true, false, false, false],
        search_delay_h: Dist::fixed(3.0),
        hours: office(),
        hourly_rate: 190.0,
        callout_fee: 250.0,
        escalate_after_business_days: [None; 4],
        interim: None,
    };
    m.setups.push(common::setup(
        "single",
        vec![Tier::InHouse(vec![0]), Tier::Emergency(Box::new(help))],
    ));
    let r = Simulator::new(&m).run(0, 0);
    let c = &r.metrics.cost;

    // Salary 64,000 × 1.21 + 10,000 overhead = 87,440 a year, minus the 8 unpaid days of 365.
    let expected_staff = 87_440.0 * (365.0 - 8.0) / 365.0;
    assert!(
        (c.staff - expected_staff).abs() < 1e-6,
        "staff {} vs {expected_staff}",
        c.staff
    );
    // One call-out (250 €) and 2 hours at 190 €/h.
    assert_eq!(c.emergency, 250.0 + 2.0 * 190.0);
    // Outage 09:00–14:00 (3 h search, 2 h work): 50 users × 5 h at 40 €.
    assert_eq!(r.metrics.user_hours_lost, 250.0);
    assert_eq!(c.downtime, 250.0 * 40.0);
    assert_eq!(c.msp, 0.0);
    assert_eq!(c.it(), c.staff + c.emergency);
    assert_eq!(c.total(), c.it() + c.downtime);
}

#[test]
fn msp_fee_extra_hours_visits_and_credits_add_up_by_hand() {
    let mut m = company();
    let t = tuesday_nine(&m);
    // Three on-site P2 tickets of 10 hours each, one after the other.
    let times = vec![t, t + DAY, t + 2 * DAY];
    let mut c = common::category(
        "repair",
        0.0,
        ArrivalPattern::Scheduled(times),
        Priority::P2,
        Dist::fixed(10.0),
    );
    c.onsite_probability = 1.0;
    m.categories.push(c);
    let mut tech = common::admin("silver.tech1", office());
    tech.role = Role::Technician;
    let mut contract =
        common::msp_contract("silver", vec![tech], office(), Dist::fixed(0.5), 0, false);
    contract.price = MspPrice {
        fee_eur_per_pc_month: 60.0,
        included_hours_per_month: Some(2.0),
        hourly_rate_eur: 95.0,
        onsite_visit_eur: 50.0,
        p1_24x7_eur_per_month: 0.0,
        after_hours_surcharge: 1.0,
        sla_credit_eur_per_breach: 100.0,
        sla_credit_cap_share: 0.1,
    };
    m.contracts.push(contract);
    let mut setup = common::setup("msp", vec![Tier::Msp(0)]);
    setup.sla.resolution_h = [4.0, 8.0, 24.0, 40.0];
    m.setups.push(setup);
    let r = Simulator::new(&m).run(0, 0);
    let cost = &r.metrics.cost;

    // By hand (technician 08:00–17:00, 0.5 h travel out before each session, 0.5 h back
    // after finishing): Tue 09:00–17:00 ticket 1 (7.5 h done); Wed 08:00–11:00 ticket 1
    // (done), back 11:30, 11:30–17:00 ticket 2 (5 h done); Thu 08:00–13:30 ticket 2, back
    // 14:00, 14:00–17:00 ticket 3 (2.5 h); Fri 08:00–16:00 ticket 3. Six visits; the sessions
    // (travel out included) last 8 + 3 + 5.5 + 5.5 + 3 + 8 = 33 hours.
    let visits = r.metrics.onsite_visits;
    let msp_h = r.metrics.msp_hours;
    assert_eq!(visits, 6.0);
    assert_eq!(msp_h, 33.0);
    assert_eq!(
        r.metrics.sla_breaches, 3.0,
        "10 h of work cannot be resolved within 8 h"
    );
    let fee = 60.0 * 50.0 * 12.0;
    // 33 hours against 2 × 12 included: 9 hours at 95 €.
    let extra = 9.0 * 95.0;
    let credits = (3.0 * 100.0_f64).min(0.1 * fee);
    let expected = fee + extra + visits * 50.0 - credits;
    assert!(
        (cost.msp - expected).abs() < 1e-6,
        "msp {} vs {expected}",
        cost.msp
    );
    assert_eq!(cost.staff, 0.0);
}
