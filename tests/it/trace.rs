//! Trace tests: scenarios with fixed efforts and scheduled tickets produce exact timelines.

use chrono::NaiveDate;
use covsim::calendar::WeeklyHours;
use covsim::dist::Dist;
use covsim::engine::{Simulator, Trace, TraceKind};
use covsim::model::*;
use covsim::time::{HOUR, MINUTE, SimTime};

use crate::common;

use common::{bavarian_company as company, office};

fn at(m: &Model, y: i32, mo: u32, d: u32, h: i64, min: i64) -> SimTime {
    m.calendar
        .time_of_date(NaiveDate::from_ymd_opt(y, mo, d).unwrap())
        + h * HOUR
        + min * MINUTE
}

fn scheduled(id: &str, p: Priority, times: Vec<SimTime>, effort_h: f64) -> Category {
    common::category(
        id,
        0.0,
        ArrivalPattern::Scheduled(times),
        p,
        Dist::fixed(effort_h),
    )
}

/// `(kind, time, ticket)` of every step, without responders.
fn steps(trace: &Trace) -> Vec<(TraceKind, SimTime, usize)> {
    trace
        .events
        .iter()
        .map(|e| (e.kind, e.time, e.ticket))
        .collect()
}

fn single_admin(m: &mut Model) {
    m.people.push(common::admin("anna", office()));
    m.setups
        .push(common::setup("single", vec![Tier::InHouse(vec![0])]));
}

#[test]
fn friday_afternoon_ticket_is_resolved_monday_morning() {
    let mut m = company();
    let fri = at(&m, 2026, 1, 9, 16, 30);
    m.categories
        .push(scheduled("late", Priority::P3, vec![fri], 1.0));
    single_admin(&mut m);
    let (_, trace) = Simulator::new(&m).run_traced(0, 0);
    let mon = at(&m, 2026, 1, 12, 8, 0);
    assert_eq!(
        steps(&trace),
        vec![
            (TraceKind::Arrived, fri, 0),
            (TraceKind::Started, fri, 0),
            (TraceKind::Paused, at(&m, 2026, 1, 9, 17, 0), 0),
            (TraceKind::Started, mon, 0),
            (TraceKind::Resolved, at(&m, 2026, 1, 12, 8, 30), 0),
        ]
    );
}

#[test]
fn p1_interrupts_p3_which_resumes_where_it_stopped() {
    let mut m = company();
    let p3 = at(&m, 2026, 1, 13, 9, 0);
    let p1 = at(&m, 2026, 1, 13, 10, 0);
    m.categories
        .push(scheduled("normal", Priority::P3, vec![p3], 2.0));
    m.categories
        .push(scheduled("outage", Priority::P1, vec![p1], 1.0));
    single_admin(&mut m);
    let (_, trace) = Simulator::new(&m).run_traced(0, 0);
    assert_eq!(
        steps(&trace),
        vec![
            (TraceKind::Arrived, p3, 0),
            (TraceKind::Started, p3, 0),
            (TraceKind::Arrived, p1, 1),
            (TraceKind::Interrupted, p1, 0),
            (TraceKind::Started, p1, 1),
            (TraceKind::Resolved, at(&m, 2026, 1, 13, 11, 0), 1),
            (TraceKind::Started, at(&m, 2026, 1, 13, 11, 0), 0),
            (TraceKind::Resolved, at(&m, 2026, 1, 13, 12, 0), 0),
        ]
    );
}

#[test]
fn illness_pauses_a_ticket_until_the_admin_is_back() {
    let mut m = company();
    let t = at(&m, 2026, 1, 14, 11, 0);
    m.categories
        .push(scheduled("work", Priority::P3, vec![t], 3.0));
    single_admin(&mut m);
    let sick = PlannedAbsence {
        from: at(&m, 2026, 1, 14, 12, 0),
        to: at(&m, 2026, 1, 16, 0, 0),
        kind: AbsenceKind::Sick,
    };
    m.people[0].absence.planned.push(sick);
    let (res, trace) = Simulator::new(&m).run_traced(0, 0);
    assert_eq!(
        steps(&trace),
        vec![
            (TraceKind::Arrived, t, 0),
            (TraceKind::Started, t, 0),
            (TraceKind::Paused, at(&m, 2026, 1, 14, 12, 0), 0),
            (TraceKind::Started, at(&m, 2026, 1, 16, 8, 0), 0),
            (TraceKind::Resolved, at(&m, 2026, 1, 16, 10, 0), 0),
        ]
    );
    // 36 h of illness = 1.5 calendar days; nobody qualified is there for the 5 business hours
    // of Wednesday afternoon and the 9 of Thursday.
    assert_eq!(res.metrics.sick_days, 1.5);
    assert_eq!(res.metrics.uncovered_hours, 14.0);
    assert_eq!(res.metrics.longest_gap_bh, 14.0);
}

#[test]
fn emergency_help_is_called_when_the_admin_is_away() {
    let mut m = company();
    let t = at(&m, 2026, 2, 3, 9, 0);
    m.categories
        .push(scheduled("outage", Priority::P1, vec![t], 2.0));
    m.categories[0].users_affected = UsersAffected::All;
    m.people.push(common::admin("anna", office()));
    let vacation = PlannedAbsence {
        from: at(&m, 2026, 2, 2, 0, 0),
        to: at(&m, 2026, 2, 7, 0, 0),
        kind: AbsenceKind::Vacation,
    };
    m.people[0].absence.planned.push(vacation);
    let help = EmergencyHelp {
        priorities: [true, true, false, false],
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
    let (res, trace) = Simulator::new(&m).run_traced(0, 0);
    assert_eq!(
        steps(&trace),
        vec![
            (TraceKind::Arrived, t, 0),
            (TraceKind::HelpCalled, t, 0),
            (TraceKind::HelpArrived, at(&m, 2026, 2, 3, 12, 0), 0),
            (TraceKind::Started, at(&m, 2026, 2, 3, 12, 0), 0),
            (TraceKind::Resolved, at(&m, 2026, 2, 3, 14, 0), 0),
        ]
    );
    assert_eq!(res.metrics.emergency_calls, 1.0);
    assert_eq!(res.metrics.emergency_hours, 2.0);
    // Business-wide outage from 09:00 to 14:00: 5 hours, 50 users.
    assert_eq!(res.metrics.outage_hours, 5.0);
    assert_eq!(res.metrics.user_hours_lost, 250.0);
    assert_eq!(res.metrics.response[0].max, 3.0);
}

#[test]
fn msp_technician_travels_on_site_and_back() {
    let mut m = company();
    let t = at(&m, 2026, 3, 3, 10, 0);
    m.categories
        .push(scheduled("desk", Priority::P3, vec![t], 1.0));
    m.categories[0].onsite_probability = 1.0;
    let mut tech = common::admin("silver.tech1", WeeklyHours::weekdays(9 * 60, 17 * 60));
    tech.role = Role::Technician;
    let coverage = WeeklyHours::weekdays(9 * 60, 17 * 60);
    let contract =
        common::msp_contract("silver", vec![tech], coverage, Dist::fixed(0.75), 0, false);
    m.contracts.push(contract);
    m.setups.push(common::setup("msp", vec![Tier::Msp(0)]));
    let (res, trace) = Simulator::new(&m).run_traced(0, 0);
    assert_eq!(
        steps(&trace),
        vec![
            (TraceKind::Arrived, t, 0),
            (TraceKind::Started, t, 0),
            (TraceKind::Resolved, at(&m, 2026, 3, 3, 11, 45), 0),
        ]
    );
    assert_eq!(res.metrics.msp_hours, 1.75);
}

#[test]
fn missing_knowledge_costs_the_penalty_unless_documented() {
    for (doc, resolved_h) in [(0.0, 13), (1.0, 11)] {
        let mut m = company();
        let t = at(&m, 2026, 3, 3, 10, 0);
        m.categories
            .push(scheduled("config", Priority::P3, vec![t], 1.0));
        m.categories[0].knowledge_probability = 1.0;
        let mut key_user = common::admin("karl", office());
        key_user.role = Role::KeyUser;
        m.people.push(key_user);
        let mut s = common::setup("ku", vec![Tier::KeyUser(0)]);
        s.documentation_quality = doc;
        s.knowledge_penalty_h = Dist::fixed(2.0);
        m.setups.push(s);
        let (res, trace) = Simulator::new(&m).run_traced(0, 0);
        assert_eq!(
            trace.resolved[0],
            Some(at(&m, 2026, 3, 3, resolved_h, 0)),
            "doc quality {doc}"
        );
        assert_eq!(
            res.metrics.knowledge_blocked,
            if doc == 0.0 { 1.0 } else { 0.0 }
        );
    }
}

/// A key user's weekly IT budget: a session across Monday 00:00 counts in the new week only with
/// its part after midnight, a spent budget pauses the work, and the next week's budget resumes
/// it even when no duty change happens then (the key user is on duty around the clock).
#[test]
fn weekly_budget_counts_per_week_and_renews_on_monday() {
    let mut m = company();
    let sun = at(&m, 2026, 3, 8, 23, 0);
    let mon = at(&m, 2026, 3, 9, 0, 30);
    m.categories
        .push(scheduled("across-midnight", Priority::P3, vec![sun], 1.5));
    m.categories
        .push(scheduled("after-midnight", Priority::P3, vec![mon], 2.0));
    let mut karl = common::admin("karl", WeeklyHours::always());
    karl.role = Role::KeyUser;
    karl.it_share = 2.0 / 168.0; // two hours a week
    m.people.push(karl);
    m.setups.push(common::setup("ku", vec![Tier::KeyUser(0)]));
    let (_, trace) = Simulator::new(&m).run_traced(0, 0);
    // Ticket 0 finishes at 00:30; half an hour of the new week's budget is spent.
    assert_eq!(trace.resolved[0], Some(mon));
    // Ticket 1 gets the 1.5 hours left, pauses at 02:00, and resumes a week later.
    let next_monday = at(&m, 2026, 3, 16, 0, 0);
    assert_eq!(
        steps(&trace)
            .into_iter()
            .filter(|s| s.2 == 1)
            .collect::<Vec<_>>(),
        vec![
            (TraceKind::Arrived, mon, 1),
            (TraceKind::Started, mon, 1),
            (TraceKind::Paused, at(&m, 2026, 3, 9, 2, 0), 1),
            (TraceKind::Started, next_monday, 1),
            (TraceKind::Resolved, next_monday + 30 * MINUTE, 1),
        ]
    );
}

/// Rules 2 and 3 at arrival: a ticket goes to the first tier with somebody available, and
/// there to the first idle responder; it waits for a busy first tier rather than going to an
/// idle later one, and moves on when the first tier's budget is spent. (Most arrivals take a
/// shortcut past the waiting queue; this pins what they must still do.)
#[test]
fn arrivals_go_to_the_first_available_tier_and_its_first_idle_responder() {
    let mut m = company();
    let day = at(&m, 2026, 3, 3, 0, 0);
    let t = |h: i64, min: i64| day + h * HOUR + min * MINUTE;
    let (a, b, c) = (t(10, 0), t(10, 10), t(11, 30));
    m.categories
        .push(scheduled("a", Priority::P3, vec![a], 0.5));
    m.categories
        .push(scheduled("b", Priority::P3, vec![b], 2.0));
    m.categories
        .push(scheduled("c", Priority::P3, vec![c], 1.0));
    let mut karl = common::admin("karl", office());
    karl.role = Role::KeyUser;
    karl.it_share = 1.0 / 45.0; // one hour of the 45-hour week
    m.people.push(karl);
    let hours = WeeklyHours::weekdays(9 * 60, 17 * 60);
    let techs = ["silver.tech1", "silver.tech2"].map(|id| {
        let mut tech = common::admin(id, hours);
        tech.role = Role::Technician;
        tech
    });
    let contract =
        common::msp_contract("silver", techs.to_vec(), hours, Dist::fixed(0.0), 0, false);
    m.contracts.push(contract);
    m.setups.push(common::setup(
        "hybrid",
        vec![Tier::KeyUser(0), Tier::Msp(0)],
    ));
    let (_, trace) = Simulator::new(&m).run_traced(0, 0);
    let who: Vec<_> = trace
        .events
        .iter()
        .map(|e| (e.kind, e.time, e.ticket, e.responder))
        .collect();
    let (karl, tech1, tech2) = (Some(0), Some(1), Some(2));
    assert_eq!(
        who,
        vec![
            (TraceKind::Arrived, a, 0, None),
            (TraceKind::Started, a, 0, karl),
            // Karl is busy but there: the ticket waits for him.
            (TraceKind::Arrived, b, 1, None),
            (TraceKind::Resolved, t(10, 30), 0, karl),
            (TraceKind::Started, t(10, 30), 1, karl),
            // His hour is spent at 11:00: the ticket goes to the MSP's first technician.
            (TraceKind::Paused, t(11, 0), 1, karl),
            (TraceKind::Started, t(11, 0), 1, tech1),
            // The first technician is busy, the second idle.
            (TraceKind::Arrived, c, 2, None),
            (TraceKind::Started, c, 2, tech2),
            (TraceKind::Resolved, t(12, 30), 1, tech1),
            (TraceKind::Resolved, t(12, 30), 2, tech2),
        ]
    );
}

/// Issue 13, point 8: a normal ticket that nobody can take waits its escalation time (two
/// business days after its arrival day here), then emergency help is called for it too.
#[test]
fn r13_a_waiting_p3_escalates_to_emergency_help() {
    let mut m = company();
    let t = at(&m, 2026, 2, 3, 9, 0);
    m.categories
        .push(scheduled("printer", Priority::P3, vec![t], 1.0));
    m.people.push(common::admin("anna", office()));
    let vacation = PlannedAbsence {
        from: at(&m, 2026, 2, 2, 0, 0),
        to: at(&m, 2026, 2, 21, 0, 0),
        kind: AbsenceKind::Vacation,
    };
    m.people[0].absence.planned.push(vacation);
    let help = EmergencyHelp {
        priorities: [true, true, false, false],
        search_delay_h: Dist::fixed(3.0),
        hours: office(),
        hourly_rate: 190.0,
        callout_fee: 250.0,
        escalate_after_business_days: [None, None, Some(2), None],
        interim: None,
    };
    m.setups.push(common::setup(
        "single",
        vec![Tier::InHouse(vec![0]), Tier::Emergency(Box::new(help))],
    ));
    let (res, trace) = Simulator::new(&m).run_traced(0, 0);
    // Arrived Tuesday; Wednesday and Thursday are the two business days it may wait; on
    // Friday at 00:00 it has waited longer, help is called and starts at 08:00.
    assert_eq!(
        steps(&trace),
        vec![
            (TraceKind::Arrived, t, 0),
            (TraceKind::HelpCalled, at(&m, 2026, 2, 6, 0, 0), 0),
            (TraceKind::HelpArrived, at(&m, 2026, 2, 6, 3, 0), 0),
            (TraceKind::Started, at(&m, 2026, 2, 6, 8, 0), 0),
            (TraceKind::Resolved, at(&m, 2026, 2, 6, 9, 0), 0),
        ]
    );
    assert_eq!(res.metrics.emergency_calls, 1.0);
    assert_eq!(res.metrics.escalated_to_help, 1.0);
}

/// Issue 13, point 8: a long illness of the single admin brings an interim after the wait and
/// the search, who works the admin's hours until the admin is back; a ticket from before waits
/// for them, one during their engagement is taken at once.
#[test]
fn r13_an_interim_stands_in_during_a_long_illness() {
    let mut m = company();
    let early = at(&m, 2026, 3, 10, 10, 0);
    let during = at(&m, 2026, 3, 24, 10, 0);
    m.categories
        .push(scheduled("desk", Priority::P3, vec![early, during], 1.0));
    m.people.push(common::admin("anna", office()));
    ill_for_six_weeks(&mut m);
    let help = interim_help();
    m.setups.push(common::setup(
        "single",
        vec![Tier::InHouse(vec![0]), Tier::Emergency(Box::new(help))],
    ));
    let (res, trace) = Simulator::new(&m).run_traced(0, 0);
    // Ill from 2 March: the search starts on 16 March, the interim works from Monday 23 March.
    assert_eq!(
        steps(&trace),
        vec![
            (TraceKind::Arrived, early, 0),
            (TraceKind::Started, at(&m, 2026, 3, 23, 8, 0), 0),
            (TraceKind::Resolved, at(&m, 2026, 3, 23, 9, 0), 0),
            (TraceKind::Arrived, during, 1),
            (TraceKind::Started, during, 1),
            (TraceKind::Resolved, at(&m, 2026, 3, 24, 11, 0), 1),
        ]
    );
    let interim = trace
        .responders
        .iter()
        .position(|(label, _)| label == "anna.interim")
        .expect("an interim responder");
    assert!(trace.sessions.iter().all(|s| s.0 == interim));
    // Working days from 23 March to 10 April without Good Friday and Easter Monday.
    assert_eq!(res.metrics.interim_days, 13.0);
    assert_eq!(res.metrics.interim_hours, 2.0);
    assert_eq!(res.metrics.cost.interim, 13.0 * 800.0);
}

/// Rule 9 applies to a company whose only IT is one admin: a second admin covers the long
/// illness, and no interim is engaged.
#[test]
fn r13_a_team_engages_no_interim() {
    let mut m = company();
    m.people.push(common::admin("anna", office()));
    m.people.push(common::admin("ben", office()));
    ill_for_six_weeks(&mut m);
    let help = interim_help();
    m.setups.push(common::setup(
        "team",
        vec![Tier::InHouse(vec![0, 1]), Tier::Emergency(Box::new(help))],
    ));
    let (res, trace) = Simulator::new(&m).run_traced(0, 0);
    assert!(
        trace
            .responders
            .iter()
            .all(|(l, _)| !l.ends_with(".interim"))
    );
    assert_eq!(res.metrics.interim_days, 0.0);
}

/// Emergency help for P1 only, with an interim after 14 days of absence and 7 days of search.
fn interim_help() -> EmergencyHelp {
    EmergencyHelp {
        priorities: [true, false, false, false],
        search_delay_h: Dist::fixed(3.0),
        hours: office(),
        hourly_rate: 190.0,
        callout_fee: 250.0,
        escalate_after_business_days: [None; 4],
        interim: Some(Box::new(InterimCover {
            after_days: 14.0,
            search_days: Dist::fixed(7.0),
            day_rate: 800.0,
        })),
    }
}

/// The first person is ill from Monday 2 March to Sunday 12 April 2026.
fn ill_for_six_weeks(m: &mut Model) {
    let sick = PlannedAbsence {
        from: at(m, 2026, 3, 2, 0, 0),
        to: at(m, 2026, 4, 13, 0, 0),
        kind: AbsenceKind::Sick,
    };
    m.people[0].absence.planned.push(sick);
}

/// Three absences of the only admin give three episodes with nobody qualified: one that spans
/// a night, one that spans a weekend (which does not end it), and one of exactly 8 business
/// hours, on its bin's edge.
#[test]
fn absences_of_a_single_admin_give_exact_nobody_episodes() {
    let mut m = company();
    single_admin(&mut m);
    let planned = [
        // Wednesday 12:00 to Thursday's end: 5 + 9 = 14 business hours, 29 clock hours.
        (at(&m, 2026, 1, 14, 12, 0), at(&m, 2026, 1, 16, 0, 0)),
        // Friday, the weekend and Monday: 18 business hours, Friday 8:00 to Monday 17:00.
        (at(&m, 2026, 2, 6, 0, 0), at(&m, 2026, 2, 10, 0, 0)),
        // Tuesday 9:00 to 17:00: exactly 8 business hours.
        (at(&m, 2026, 3, 3, 9, 0), at(&m, 2026, 3, 3, 17, 0)),
    ];
    for (from, to) in planned {
        m.people[0].absence.planned.push(PlannedAbsence {
            from,
            to,
            kind: AbsenceKind::Sick,
        });
    }
    let res = Simulator::new(&m).run(0, 0);
    let days = |h: f64| h / 24.0;
    let x = &res.metrics;
    assert_eq!(x.uncovered_hours, 40.0);
    assert_eq!(x.nobody_episodes, 3.0);
    assert_eq!(x.nobody_episode_mean_bh, 40.0 / 3.0);
    let mean_days = (days(29.0) + days(81.0) + days(8.0)) / 3.0;
    assert!((x.nobody_episode_mean_days - mean_days).abs() < 1e-12);
    assert_eq!(x.longest_gap_bh, 18.0);
    assert_eq!(x.longest_gap_days, days(81.0));
    // Business-hour bins end at 1, 2, 4, 8, 16, 24, …: 8 h, 14 h and 18 h fall in bins 3, 4, 5.
    let mut business = [0; covsim::engine::EpisodeHistogram::BUSINESS_H.len() + 1];
    business[3] = 1;
    business[4] = 1;
    business[5] = 1;
    assert_eq!(res.episodes.business, business);
    // Day bins end at 1, 2, 3, 5, …: 1/3 day, 29 h and 3.375 days fall in bins 0, 1, 3.
    let mut span = [0; covsim::engine::EpisodeHistogram::DAYS.len() + 1];
    span[0] = 1;
    span[1] = 1;
    span[3] = 1;
    assert_eq!(res.episodes.days, span);
}
