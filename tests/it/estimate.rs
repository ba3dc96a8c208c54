//! Calibration's estimation (issue 14): simulated exports of a known scenario must give back
//! its rates, profiles and effort distributions, within tolerances from confidence intervals.

use chrono::{NaiveDate, NaiveDateTime};
use covsim::calibrate::estimate::{EstimateError, EstimateOptions, calibrate};
use covsim::calibrate::fit::{Fitted, Obs, choose, fit_all};
use covsim::calibrate::{Calibration, Export, ExportTicket, Family, IngestReport};
use covsim::dist::Dist;
use covsim::engine::Simulator;
use covsim::model::{Model, Priority};
use covsim::time::{DAY, SimTime};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, Poisson, Uniform};
use statrs::distribution::{Beta, ContinuousCDF};

use crate::analytic::{Z999, assert_in_ci};

const Z90: f64 = 1.281_551_565_544_600_5;

/// Two categories with every feature calibration estimates: a business-hours one with weekday
/// and month factors and lognormal efforts, a round-the-clock one with month factors and
/// Weibull efforts.
fn model(year: i32, years: u32) -> Model {
    model_in(year, years, "BY")
}

fn model_in(year: i32, years: u32, state: &str) -> Model {
    let text = format!(
        r#"
[company]
pcs = 40
year = {year}
federal_state = "{state}"

[simulation]
warmup_days = 0
drain_days = 0
years = {years}

[[categories]]
id = "printer"
tickets_per_year = 1500
weekday_factors = [1.4, 1, 1, 1, 0.7, 1, 1]
month_factors = [1.5, 1, 1, 1, 1, 1, 0.6, 0.6, 1, 1, 1, 1.3]
effort_h = {{ dist = "lognormal", median = 1, p90 = 3 }}

[[categories]]
id = "server"
priority = "P1"
arrivals = "always"
tickets_per_year = 700
month_factors = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2]
effort_h = {{ dist = "weibull", shape = 1.5, scale = 2 }}

[[people]]
id = "anna"

[[setups]]
name = "Single admin"
preset = "single-admin"
admins = ["anna"]
"#
    );
    covsim::scenario::from_str(&text, "calibrate.toml").unwrap()
}

/// Local date-time of a simulation time of `model`.
fn datetime(model: &Model, t: SimTime) -> NaiveDateTime {
    let day = t.day();
    model
        .calendar
        .date_of_day(day)
        .and_hms_opt(0, 0, 0)
        .unwrap()
        + chrono::Duration::seconds(t.0 - day * DAY)
}

/// The tickets of one replication as an export over the measured window: each closes at
/// arrival + effort (wall-clock), those not closed by the window's end are open, with the
/// time worked so far.
fn export_of(model: &Model, replication: u64) -> Export {
    let end = model.window_end();
    let tickets = Simulator::new(model)
        .own_tickets(replication)
        .into_iter()
        .filter(|t| t.arrival >= SimTime::ZERO && t.arrival < end)
        .enumerate()
        .map(|(i, t)| {
            let close = t.arrival + t.effort_s;
            let open = close > end;
            let worked = if open { end - t.arrival } else { t.effort_s };
            ExportTicket {
                id: format!("T{i}"),
                line: i as u64 + 2,
                created: datetime(model, t.arrival),
                first_response: None,
                closed: (!open).then(|| datetime(model, close)),
                priority: t.priority,
                category: model.categories[usize::from(t.category)].id.clone(),
                effort_h: Some(worked as f64 / 3600.0),
            }
        })
        .collect();
    export(
        tickets,
        datetime(model, SimTime::ZERO),
        datetime(model, end),
    )
}

fn export(tickets: Vec<ExportTicket>, from: NaiveDateTime, until: NaiveDateTime) -> Export {
    Export {
        source: "test.csv".to_owned(),
        tickets,
        observed_from: from,
        observed_until: until,
        report: IngestReport::default(),
    }
}

fn opts(bootstrap: u32) -> EstimateOptions {
    EstimateOptions {
        bootstrap,
        ..EstimateOptions::default()
    }
}

/// Every number of a calibration is finite (no NaN reaches a scenario or a chart).
fn assert_finite(c: &Calibration) {
    assert!(c.years.is_finite());
    let d = &c.dispersion;
    assert!(d.index.is_finite() && d.poisson_ci.0.is_finite() && d.poisson_ci.1.is_finite());
    for e in &c.categories {
        let mut all = vec![
            e.tickets_per_year,
            e.rate_ci.0,
            e.rate_ci.1,
            e.share_outside_hours,
        ];
        all.extend(e.weekday_factors);
        all.extend(e.month_factors);
        for f in &e.effort.candidates {
            all.push(f.aic);
            all.extend(f.params.iter().map(|p| p.1));
        }
        if let Some(g) = &e.effort.gof {
            all.extend([g.value, g.p_value]);
        }
        assert!(all.iter().all(|x| x.is_finite()), "{}: {all:?}", e.id);
        Dist::new(&e.effort.dist).unwrap();
    }
}

fn param(c: &covsim::calibrate::CategoryEstimate, family: Family, name: &str) -> f64 {
    let f = c
        .effort
        .candidates
        .iter()
        .find(|f| f.family == family)
        .unwrap_or_else(|| panic!("{}: no {family:?} fit", c.id));
    f.params.iter().find(|p| p.0 == name).unwrap().1
}

/// Round trip: calibrate independent simulated two-year exports; across them, every estimate
/// must have the scenario's value inside its 99.9 % CI.
#[test]
fn round_trip_recovers_rates_profiles_and_efforts() {
    let m = model(2026, 2);
    let reps = 24;
    let cals: Vec<Calibration> = (0..reps)
        .map(|r| calibrate(&export_of(&m, r), &m, &opts(19)).unwrap())
        .collect();
    for c in &cals {
        assert_finite(c);
        assert!(c.merged.is_empty());
        assert_eq!(c.categories.len(), 2);
    }
    for (i, truth) in m.categories.iter().enumerate() {
        let id = format!("{}-{}", truth.id, truth.priority.label().to_lowercase());
        let est = |c: &Calibration| {
            c.categories
                .iter()
                .find(|e| e.id == id)
                .unwrap_or_else(|| panic!("no {id}"))
                .clone()
        };
        let business = i == 0;
        for c in &cals {
            let e = est(c);
            assert_eq!(e.business_hours, business, "{id}: arrival pattern");
            // The exact 95 % interval holds the truth in most replications (checked in sum
            // below through the mean).
            assert!(e.rate_ci.0 < e.tickets_per_year && e.tickets_per_year < e.rate_ci.1);
        }
        assert_in_ci(
            &format!("{id} tickets per year"),
            cals.iter().map(|c| est(c).tickets_per_year),
            truth.tickets_per_year,
        );
        for d in 0..7 {
            if business && d >= 5 {
                continue; // closed on weekends: the factor has no meaning
            }
            assert_in_ci(
                &format!("{id} weekday factor {d}"),
                cals.iter().map(|c| est(c).weekday_factors[d]),
                truth.weekday_factors[d],
            );
        }
        for mo in 0..12 {
            assert_in_ci(
                &format!("{id} month factor {mo}"),
                cals.iter().map(|c| est(c).month_factors[mo]),
                truth.month_factors[mo],
            );
        }
    }
    let get = |c: &Calibration, id: &str| c.categories.iter().find(|e| e.id == id).unwrap().clone();
    // Lognormal median 1, p90 3: mu = 0, sigma = ln 3 / z90.
    assert_in_ci(
        "printer mu",
        cals.iter()
            .map(|c| param(&get(c, "printer-p3"), Family::LogNormal, "mu")),
        0.0,
    );
    assert_in_ci(
        "printer sigma",
        cals.iter()
            .map(|c| param(&get(c, "printer-p3"), Family::LogNormal, "sigma")),
        3f64.ln() / Z90,
    );
    assert_in_ci(
        "server shape",
        cals.iter()
            .map(|c| param(&get(c, "server-p1"), Family::Weibull, "shape")),
        1.5,
    );
    assert_in_ci(
        "server scale",
        cals.iter()
            .map(|c| param(&get(c, "server-p1"), Family::Weibull, "scale")),
        2.0,
    );
    // The true family is chosen and accepted in (nearly) every replication.
    let right = cals
        .iter()
        .filter(|c| {
            get(c, "printer-p3").effort.chosen == Family::LogNormal
                && get(c, "server-p1").effort.chosen == Family::Weibull
        })
        .count();
    assert!(
        right >= reps as usize - 2,
        "true families chosen in {right} of {reps}"
    );
}

/// Same inputs and seed, same calibration, bit for bit.
#[test]
fn calibration_is_deterministic() {
    let m = model(2026, 1);
    let e = export_of(&m, 7);
    let a = calibrate(&e, &m, &opts(19)).unwrap();
    let b = calibrate(&e, &m, &opts(19)).unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

/// Samples of `family` with parameters far enough from the other families' shapes.
fn truth(family: Family) -> Fitted {
    match family {
        Family::Exponential => Fitted::Exponential { rate: 0.5 },
        Family::LogNormal => Fitted::LogNormal {
            mu: 0.0,
            sigma: 0.8,
        },
        Family::Gamma => Fitted::Gamma {
            shape: 2.5,
            scale: 1.0,
        },
        _ => Fitted::Weibull {
            shape: 0.7,
            scale: 2.0,
        },
    }
}

/// AIC (with the exponential kept unless beaten at 1 %) picks the true family in at least
/// 95 % of samples: with 200 samples of 2000 efforts each, one in ten right-censored at a
/// uniform time, the one-sided 95 % Clopper–Pearson lower bound of the success rate must
/// exceed 0.95.
#[test]
fn the_true_family_is_chosen_in_95_percent_of_samples() {
    let (trials, n) = (200, 2000);
    for family in [
        Family::Exponential,
        Family::LogNormal,
        Family::Gamma,
        Family::Weibull,
    ] {
        let f = truth(family);
        let mut rng = ChaCha8Rng::seed_from_u64(family as u64 + 11);
        let mut right = 0;
        for _ in 0..trials {
            let obs: Vec<Obs> = (0..n)
                .map(|i| {
                    let x = f.sample(&mut rng);
                    // Every tenth ticket has a censoring time within the bulk of the efforts.
                    let bound = if i % 10 == 0 {
                        Uniform::new(0.5, 6.0).unwrap().sample(&mut rng)
                    } else {
                        f64::INFINITY
                    };
                    if x > bound {
                        Obs {
                            value: bound,
                            censored: true,
                            bound,
                        }
                    } else {
                        Obs {
                            value: x,
                            censored: false,
                            bound: bound.min(1e9),
                        }
                    }
                })
                .collect();
            let fits = fit_all(&obs);
            if fits[choose(&fits).unwrap()].0.family == family {
                right += 1;
            }
        }
        let lower = if right == 0 {
            0.0
        } else {
            Beta::new(f64::from(right), f64::from(trials - right + 1))
                .unwrap()
                .inverse_cdf(0.05)
        };
        eprintln!("{family:?}: chosen in {right} of {trials}, 95 % lower bound {lower:.4}");
        assert!(lower > 0.95, "{family:?}: chosen in {right} of {trials}");
    }
}

/// Tickets of one category created at 09:00 on business days in `model`'s first year, `count`
/// of them per day, with exponential time worked of mean `mean_h` hours; tickets whose work
/// would end after `until` are open, with the time worked so far.
fn daily_export(
    model: &Model,
    counts: impl Fn(&mut ChaCha8Rng) -> u32,
    mean_h: f64,
    until: SimTime,
    seed: u64,
) -> Export {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let effort = rand_distr::Exp::new(1.0 / mean_h).unwrap();
    let mut tickets = Vec::new();
    for day in 0..365 {
        let start = SimTime::day_start(day);
        if start + 9 * 3600 >= until {
            break;
        }
        if model
            .business
            .measure_between(start, SimTime::day_start(day + 1))
            == 0
        {
            continue;
        }
        for _ in 0..counts(&mut rng) {
            let created = start + 9 * 3600;
            let e = effort.sample(&mut rng);
            let end = created + (e * 3600.0).round().max(1.0) as i64;
            let open = end > until;
            tickets.push(ExportTicket {
                id: format!("T{}", tickets.len()),
                line: tickets.len() as u64 + 2,
                created: datetime(model, created),
                first_response: None,
                closed: (!open).then(|| datetime(model, end)),
                priority: Priority::P3,
                category: "mail".to_owned(),
                effort_h: Some(if open {
                    (until - created) as f64 / 3600.0
                } else {
                    e
                }),
            });
        }
    }
    export(
        tickets,
        datetime(model, SimTime::ZERO),
        datetime(model, until),
    )
}

/// Heavy censoring: efforts of mean 1500 h (wall-clock) on tickets of one year, so most of the
/// last months' tickets are open at export time. Censored, the mean is recovered; dropping
/// the open tickets would keep only the short ones of those months (the mean of the closed
/// tickets here is far too low).
#[test]
fn open_tickets_are_censored_not_dropped() {
    let m = model(2026, 1);
    let mean = 1500.0;
    let e = daily_export(&m, |_| 4, mean, m.window_end(), 3);
    let open = e.tickets.iter().filter(|t| t.closed.is_none()).count();
    let cal = calibrate(&e, &m, &opts(19)).unwrap();
    let c = &cal.categories[0];
    assert!(open > 100, "{open} open tickets");
    let fitted = param(c, Family::Exponential, "mean");
    let closed: Vec<f64> = c.effort.data.iter().filter(|d| !d.1).map(|d| d.0).collect();
    let naive = closed.iter().sum::<f64>() / closed.len() as f64;
    // Censored exponential MLE: SE of the mean ≈ mean / sqrt(closed tickets).
    let tol = Z999 * mean / (closed.len() as f64).sqrt();
    eprintln!("fitted mean {fitted:.1} h, closed-only mean {naive:.1} h, truth {mean} ± {tol:.1}");
    assert!(
        (fitted - mean).abs() <= tol,
        "censored fit {fitted} vs {mean} ± {tol}"
    );
    assert!(
        naive < mean - tol,
        "dropping open tickets should bias low: {naive}"
    );
    assert_eq!(c.effort.censored, open as u64);
}

/// Poisson daily counts pass the dispersion check at about its stated rate (95 %), a
/// Poisson–gamma mixture with the same mean (index 1 + mean/shape = 3.5) fails it every time.
#[test]
fn dispersion_passes_poisson_and_flags_overdispersion() {
    let m = model(2026, 1);
    let trials = 40u32;
    let mut rejected = 0;
    for s in 0..trials {
        let e = daily_export(
            &m,
            |r| Poisson::new(5.0).unwrap().sample(r) as u32,
            2.0,
            m.window_end(),
            100 + u64::from(s),
        );
        let d = calibrate(&e, &m, &opts(19)).unwrap().dispersion;
        if !(d.poisson_ci.0..=d.poisson_ci.1).contains(&d.index) {
            rejected += 1;
        }
    }
    // Rejections ~ Binomial(40, 0.05); P(X ≥ 7) < 0.003.
    assert!(
        rejected < 7,
        "Poisson series rejected {rejected} of {trials} times"
    );
    for s in 0..5 {
        let e = daily_export(
            &m,
            |r| {
                let lambda = Gamma::new(2.0, 2.5).unwrap().sample(r);
                Poisson::new(lambda).map_or(0, |p| p.sample(r) as u32)
            },
            2.0,
            m.window_end(),
            200 + s,
        );
        let d = calibrate(&e, &m, &opts(19)).unwrap().dispersion;
        eprintln!(
            "overdispersed: index {:.2}, Poisson range {:?}",
            d.index, d.poisson_ci
        );
        assert!(
            d.index > d.poisson_ci.1,
            "index {} within {:?}",
            d.index,
            d.poisson_ci
        );
        assert!((d.index - 3.5).abs() < 1.0, "index {}", d.index);
    }
}

fn ticket(
    created: NaiveDateTime,
    closed: Option<NaiveDateTime>,
    effort: Option<f64>,
) -> ExportTicket {
    ExportTicket {
        id: "1".to_owned(),
        line: 2,
        created,
        first_response: None,
        closed,
        priority: Priority::P3,
        category: "x".to_owned(),
        effort_h: effort,
    }
}

fn at(m: u32, d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, m, d)
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
}

/// Edge cases give a clear error or a note, never a panic or NaN.
#[test]
fn edge_cases_give_clear_errors() {
    let m = model(2026, 1);
    let (from, until) = (at(1, 1, 0), at(12, 31, 0));
    let one = export(vec![ticket(at(3, 2, 9), None, None)], from, until);
    let err = calibrate(&one, &m, &opts(19)).unwrap_err();
    assert!(matches!(err, EstimateError::OneTicket { .. }));
    assert!(err.to_string().contains("1 ticket"), "{err}");

    // All open: nothing bounds the effort from above.
    let all_open: Vec<ExportTicket> = (0..60)
        .map(|i| {
            ticket(
                at(1 + i % 12, 5 + i / 12, 10),
                None,
                Some(1.0 + f64::from(i)),
            )
        })
        .collect();
    let err = calibrate(&export(all_open, from, until), &m, &opts(19)).unwrap_err();
    assert!(matches!(err, EstimateError::NoEffort { .. }), "{err}");
    eprintln!("{err}");

    // Zero efforts everywhere.
    let zeros: Vec<ExportTicket> = (0..60)
        .map(|i| {
            ticket(
                at(1 + i % 12, 5 + i / 12, 10),
                Some(at(1 + i % 12, 5 + i / 12, 11)),
                Some(0.0),
            )
        })
        .collect();
    let err = calibrate(&export(zeros.clone(), from, until), &m, &opts(19)).unwrap_err();
    assert!(err.to_string().contains("time-worked"), "{err}");

    // Zero efforts in one category, usable ones in another: a note and the pooled fit.
    let mut mixed = zeros;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let exp = rand_distr::Exp::new(1.0).unwrap();
    for i in 0..60 {
        let mut t = ticket(
            at(1 + i % 12, 5 + i / 12, 14),
            Some(at(1 + i % 12, 5 + i / 12, 15)),
            Some(exp.sample(&mut rng) + 0.01),
        );
        t.category = "y".to_owned();
        mixed.push(t);
    }
    let cal = calibrate(&export(mixed, from, until), &m, &opts(19)).unwrap();
    assert_finite(&cal);
    assert!(
        cal.notes.iter().any(|n| n.contains("0 h time worked")),
        "{:?}",
        cal.notes
    );
    assert!(
        cal.notes.iter().any(|n| n.starts_with("x-p3:")),
        "{:?}",
        cal.notes
    );

    // NaN or negative time worked, a ticket outside the period, too few resamples.
    let mut bad = vec![ticket(at(3, 2, 9), None, None); 2];
    bad[1].effort_h = Some(f64::NAN);
    bad[1].line = 7;
    let err = calibrate(&export(bad.clone(), from, until), &m, &opts(19)).unwrap_err();
    assert!(err.to_string().contains("line 7"), "{err}");
    bad[1].effort_h = None;
    bad[1].created = at(12, 31, 9);
    let err = calibrate(&export(bad.clone(), from, until), &m, &opts(19)).unwrap_err();
    assert!(
        matches!(err, EstimateError::OutsidePeriod { line: 7, .. }),
        "{err}"
    );
    bad[1].created = at(3, 3, 9);
    let err = calibrate(&export(bad, from, until), &m, &opts(5)).unwrap_err();
    assert!(matches!(err, EstimateError::Bootstrap(5)), "{err}");
}

/// A short period: months not seen in full get factor 1 and a note.
#[test]
fn months_seen_less_than_once_get_factor_one_and_a_note() {
    let m = model(2026, 1);
    let until = SimTime::day_start(31 + 28 + 31 + 30 + 31 + 10); // 11 June
    let e = daily_export(
        &m,
        |r| Poisson::new(4.0).unwrap().sample(r) as u32,
        2.0,
        until,
        9,
    );
    let cal = calibrate(&e, &m, &opts(19)).unwrap();
    assert_finite(&cal);
    let f = cal.categories[0].month_factors;
    for (mo, x) in f.iter().enumerate().skip(5) {
        assert!((x - 1.0).abs() < 1e-9, "month {mo}: {x}");
    }
    assert!((f.iter().sum::<f64>() - 12.0).abs() < 1e-9);
    assert!(
        cal.notes.iter().any(|n| n.contains("Jun, Jul")),
        "{:?}",
        cal.notes
    );
}

/// The export's years get the scenario's holiday rule: a ticket at 10:00 on Epiphany 2031 is
/// outside business hours for a Bavarian scenario of 2026, inside for one in North
/// Rhine-Westphalia (no holiday there).
#[test]
fn export_years_get_the_scenarios_holidays() {
    let day = |m: u32, d: u32| {
        NaiveDate::from_ymd_opt(2031, m, d)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
    };
    let mut tickets = Vec::new();
    for d in 7..31 {
        let created = day(1, d);
        if created.format("%u").to_string().parse::<u32>().unwrap() <= 5 {
            tickets.push(ticket(
                created,
                Some(created + chrono::Duration::hours(1)),
                Some(0.5 + f64::from(d) / 10.0),
            ));
        }
    }
    let holiday = day(1, 6);
    assert_eq!(holiday.format("%A").to_string(), "Monday");
    tickets.push(ticket(
        holiday,
        Some(holiday + chrono::Duration::hours(1)),
        Some(0.7),
    ));
    let n = tickets.len() as f64;
    let e = export(tickets, day(1, 1) - chrono::Duration::hours(10), day(2, 28));
    let by = calibrate(&e, &model_in(2026, 1, "BY"), &opts(19)).unwrap();
    let nw = calibrate(&e, &model_in(2026, 1, "NW"), &opts(19)).unwrap();
    assert_eq!(by.period.0, NaiveDate::from_ymd_opt(2031, 1, 1).unwrap());
    assert!((by.categories[0].share_outside_hours - 1.0 / n).abs() < 1e-12);
    assert_eq!(nw.categories[0].share_outside_hours, 0.0);
}
