//! Simulated exports, observed times in business hours, and the backtest (issue 14).

use std::sync::atomic::AtomicBool;

use chrono::{NaiveDate, NaiveDateTime};
use covsim::calibrate::backtest::{self, MetricId, Options, TimeKind, Verdict};
use covsim::calibrate::observed::observed_times;
use covsim::calibrate::{Export, ExportTicket, IngestReport, simulated};
use covsim::engine::{Simulator, TraceKind};
use covsim::model::{Model, Priority};
use covsim::montecarlo::Hooks;
use covsim::scenario::{self, STARTER};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

fn ticket(
    created: NaiveDateTime,
    response: Option<NaiveDateTime>,
    closed: Option<NaiveDateTime>,
    p: Priority,
) -> ExportTicket {
    ExportTicket {
        id: "1".into(),
        line: 2,
        created,
        first_response: response,
        closed,
        priority: p,
        category: "x".into(),
        effort_h: None,
    }
}

fn export(tickets: Vec<ExportTicket>, from: NaiveDateTime, until: NaiveDateTime) -> Export {
    Export {
        source: "test.csv".into(),
        tickets,
        observed_from: from,
        observed_until: until,
        report: IngestReport::default(),
    }
}

/// The starter scenario: Mon–Fri 08:00–17:00, Bavarian holidays, first year 2026.
fn starter() -> Model {
    scenario::from_str(STARTER, "starter.toml").unwrap()
}

#[test]
fn observed_times_are_business_hours_of_the_scenario_calendar() {
    let m = starter();
    // 2025, a year the scenario does not simulate: its own holidays must count.
    let tickets = vec![
        // Friday 16:00 → Monday 09:00: one hour on Friday, one on Monday.
        ticket(
            at(2025, 3, 7, 16, 0),
            Some(at(2025, 3, 10, 9, 0)),
            Some(at(2025, 3, 10, 9, 0)),
            Priority::P3,
        ),
        // Wednesday 30 April 16:00 → Friday 2 May 09:00 over Labour Day: 1 + 1 hours.
        ticket(
            at(2025, 4, 30, 16, 0),
            None,
            Some(at(2025, 5, 2, 9, 0)),
            Priority::P3,
        ),
        // Thursday 17 April 16:00 → Tuesday 22 April 10:30 over Easter (Good Friday, Easter
        // Monday): 1 + 2.5 hours.
        ticket(
            at(2025, 4, 17, 16, 0),
            Some(at(2025, 4, 17, 16, 30)),
            Some(at(2025, 4, 22, 10, 30)),
            Priority::P2,
        ),
        // Still open: created Tuesday 30 December 15:00, the export ends 1 January 2026 00:00
        // (Wednesday 31 December is a working day in Bavaria): 2 + 9 hours.
        ticket(at(2025, 12, 30, 15, 0), None, None, Priority::P4),
        // Created on a Saturday, answered Monday 08:15: 0.25 hours.
        ticket(
            at(2025, 3, 8, 11, 0),
            Some(at(2025, 3, 10, 8, 15)),
            None,
            Priority::P1,
        ),
    ];
    let e = export(tickets, at(2025, 1, 1, 0, 0), at(2026, 1, 1, 0, 0));
    let o = observed_times(&e, &m);
    assert_eq!(o.len(), 4);
    assert_eq!(o[2].priority, Some(Priority::P3));
    assert_eq!(o[2].response_bh, vec![2.0]);
    assert_eq!(o[2].resolution_bh, vec![2.0, 2.0]);
    assert_eq!(o[1].response_bh, vec![0.5]);
    assert_eq!(o[1].resolution_bh, vec![3.5]);
    assert_eq!(o[3].open_age_bh, vec![11.0]);
    assert!(o[3].resolution_bh.is_empty());
    assert_eq!(o[0].response_bh, vec![0.25]);
    // Open since Saturday 8 March 2025: its age is every business hour to the year's end.
    assert_eq!(o[0].open_age_bh.len(), 1);
}

#[test]
fn a_simulated_export_measures_like_the_engine() {
    let m = starter();
    let sim = Simulator::new(&m);
    let (_, trace) = sim.run_traced(0, 3);
    let e = simulated::export(&m, 0, 3);
    let window_end = m.window_end();
    // The engine's own clock: business seconds of the model between arrival and event.
    let mut expected: [Vec<f64>; 4] = Default::default();
    let mut open = 0;
    let own: Vec<usize> = (0..trace.tickets.len())
        .filter(|&i| {
            let t = &trace.tickets[i];
            t.client == covsim::engine::arrivals::Client::Own
                && t.arrival.0 >= 0
                && t.arrival < window_end
        })
        .collect();
    assert_eq!(own.len(), e.tickets.len());
    for &i in &own {
        let t = &trace.tickets[i];
        match trace.resolved[i].filter(|&r| r < window_end) {
            Some(r) => expected[t.priority.index()]
                .push(m.business.measure_between(t.arrival, r) as f64 / 3600.0),
            None => open += 1,
        }
    }
    let o = observed_times(&e, &m);
    for p in 0..4 {
        assert_eq!(o[p].resolution_bh, expected[p], "P{}", p + 1);
    }
    assert_eq!(o.iter().map(|x| x.open_age_bh.len()).sum::<usize>(), open);
    // Every first response is the first work session's start.
    let first = trace
        .events
        .iter()
        .find(|ev| ev.kind == TraceKind::Started && own.contains(&ev.ticket))
        .unwrap();
    let k = own.iter().position(|&i| i == first.ticket).unwrap();
    assert!(e.tickets[k].first_response.is_some());
    for t in &e.tickets {
        assert!(t.created >= e.observed_from && t.created < e.observed_until);
        for x in [t.first_response, t.closed].into_iter().flatten() {
            assert!(x >= t.created && x < e.observed_until);
        }
        assert!(t.effort_h.unwrap() > 0.0);
    }
}

#[test]
fn restricting_an_export_censors_what_happened_later() {
    let e = export(
        vec![
            ticket(
                at(2025, 3, 7, 16, 0),
                Some(at(2025, 3, 31, 9, 0)),
                Some(at(2025, 4, 2, 9, 0)),
                Priority::P3,
            ),
            ticket(at(2025, 4, 7, 16, 0), None, None, Priority::P3),
        ],
        at(2025, 1, 1, 0, 0),
        at(2026, 1, 1, 0, 0),
    );
    let r = backtest::restrict(&e, at(2025, 1, 1, 0, 0), at(2025, 4, 1, 0, 0));
    assert_eq!(r.tickets.len(), 1);
    assert_eq!(r.tickets[0].first_response, Some(at(2025, 3, 31, 9, 0)));
    assert_eq!(r.tickets[0].closed, None);
}

fn hooks_run(
    model: &Model,
    setup: &str,
    e: &Export,
    replications: u64,
    threads: usize,
) -> backtest::Backtest {
    let cancel = AtomicBool::new(false);
    let hooks = Hooks {
        cancel: &cancel,
        progress: &|_| {},
    };
    backtest::run(
        model,
        setup,
        e,
        &Options {
            replications,
            seed: model.sim.seed,
            threads: Some(threads),
        },
        &hooks,
    )
    .unwrap()
}

/// The starter with every category's effort multiplied by `factor` (lognormal median and P90
/// both scaled: the whole distribution scales).
fn starter_with_effort(factor: f64) -> String {
    let mut doc: toml::Table = toml::from_str(STARTER).unwrap();
    for c in doc["categories"].as_array_mut().unwrap() {
        let effort = c["effort_h"].as_table_mut().unwrap();
        for (k, v) in effort.iter_mut() {
            if k != "dist" {
                *v = toml::Value::Float(
                    v.as_float()
                        .unwrap_or_else(|| v.as_integer().unwrap() as f64)
                        * factor,
                );
            }
        }
    }
    toml::to_string(&doc).unwrap()
}

/// Replication index of the "observed" history: outside the backtest's 0..200.
const HISTORY: u64 = 1_000_000;

#[test]
fn the_scenarios_own_history_lies_inside_its_bands() {
    let m = starter();
    // Five histories (replications the backtests do not use), each compared with its bands.
    let (mut total, mut missed) = (0, 0);
    let mut p = 0.0;
    for h in 0..5 {
        let e = simulated::export(&m, 0, HISTORY + h);
        let b = hooks_run(&m, "Single admin", &e, 200, 1);
        let k = b.comparisons.len();
        assert!(k >= 25, "{k} metrics");
        eprintln!("history {h}: {} of {k} inside", b.inside());
        total += k;
        missed += k - b.inside();
        p = b.miss_probability;
    }
    // A right model misses each metric with probability at most `p` (the band's definition,
    // see `backtest::miss_probability`); the misses of all histories together stay within the
    // binomial's 99.9 % point. Approximate: the metrics of one history are correlated, which
    // widens the spread; ties (backlogs of 0, responses of 0) make misses rarer.
    let bound = backtest::acceptable_misses(total, p, 0.999);
    eprintln!("{missed} of {total} missed, bound {bound}");
    assert!(
        missed <= bound,
        "{missed} of {total} missed (bound {bound})"
    );
}

#[test]
fn doubled_effort_shows_as_longer_times() {
    let m = starter();
    let doubled = scenario::from_str(&starter_with_effort(2.0), "doubled.toml").unwrap();
    let e = simulated::export(&doubled, 0, HISTORY);
    let b = hooks_run(&m, "Single admin", &e, 200, 1);
    let text = covsim::calibrate::backtest_text::table_text(&b, covsim::report::i18n::Lang::En);
    let times: Vec<_> = b
        .comparisons
        .iter()
        .filter(|c| matches!(c.metric, MetricId::Time { .. }))
        .collect();
    for c in &times {
        assert_ne!(c.verdict, Verdict::Below, "{:?}\n{text}", c.metric);
    }
    // The P3 tickets (most of them) wait and take longer: response and resolution flagged.
    for kind in [TimeKind::Response, TimeKind::Resolution] {
        let c = times
            .iter()
            .find(|c| {
                c.metric
                    == MetricId::Time {
                        kind,
                        priority: Priority::P3,
                        quantile: 50,
                    }
            })
            .unwrap();
        assert_eq!(c.verdict, Verdict::Above, "{kind:?}\n{text}");
    }
    assert!(!b.reproduces(), "{text}");
    assert!(text.contains("observed P3 response is longer than the model's"));
}

#[test]
fn halved_effort_shows_as_shorter_times() {
    // Honest the other way too: a history with half the effort is flagged below, never above.
    let m = starter();
    let halved = scenario::from_str(&starter_with_effort(0.5), "halved.toml").unwrap();
    let e = simulated::export(&halved, 0, HISTORY);
    let b = hooks_run(&m, "Single admin", &e, 200, 1);
    let text = covsim::calibrate::backtest_text::table_text(&b, covsim::report::i18n::Lang::En);
    for c in &b.comparisons {
        if matches!(c.metric, MetricId::Time { .. }) {
            assert_ne!(c.verdict, Verdict::Above, "{:?}\n{text}", c.metric);
        }
    }
    let below = b
        .comparisons
        .iter()
        .filter(|c| {
            matches!(
                c.metric,
                MetricId::Time {
                    kind: TimeKind::Resolution,
                    quantile: 50,
                    ..
                }
            ) && c.verdict == Verdict::Below
        })
        .count();
    assert!(below >= 2, "{text}");
    assert!(
        text.contains("resolution is shorter than the model's"),
        "{text}"
    );
}

#[test]
fn backtests_do_not_depend_on_the_thread_count() {
    let m = starter();
    let e = simulated::export(&m, 0, HISTORY);
    let one = hooks_run(&m, "MSP", &e, 40, 1);
    let two = hooks_run(&m, "MSP", &e, 40, 2);
    // Debug text, since the unbounded CI ends are NaN (never equal to themselves).
    assert_eq!(format!("{one:?}"), format!("{two:?}"));
    let l = covsim::report::i18n::Lang::De;
    let csv = |b| {
        covsim::calibrate::backtest_text::csv_table(b, l).to_csv(covsim::report::csv::CsvLocale::De)
    };
    assert_eq!(csv(&one), csv(&two));
}

#[test]
fn a_model_for_the_export_simulates_its_years() {
    let e = export(
        vec![ticket(at(2024, 3, 7, 16, 0), None, None, Priority::P3)],
        at(2024, 2, 1, 0, 0),
        at(2025, 7, 1, 0, 0),
    );
    let m = backtest::model_for_export(STARTER, "starter.toml", &e).unwrap();
    assert_eq!(m.calendar.first_year(), 2024);
    assert_eq!(m.sim.years, 2);
    // The starter itself simulates 2026: the period is refused with a hint.
    let cancel = AtomicBool::new(false);
    let hooks = Hooks {
        cancel: &cancel,
        progress: &|_| {},
    };
    let opts = Options {
        replications: 20,
        seed: 1,
        threads: Some(1),
    };
    let err = backtest::run(&starter(), "MSP", &e, &opts, &hooks).unwrap_err();
    assert!(err.to_string().contains("model_for_export"), "{err}");
    assert!(err.is_usage());
    let err = backtest::run(&m, "Nobody", &e, &opts, &hooks).unwrap_err();
    assert!(err.to_string().contains("\"Single admin\""), "{err}");
    let few = Options {
        replications: 19,
        ..opts
    };
    let err = backtest::run(&m, "MSP", &e, &few, &hooks).unwrap_err();
    assert!(err.to_string().contains("at least 20"), "{err}");
    let many = Options {
        replications: backtest::MAX_REPLICATIONS + 1,
        ..opts
    };
    let err = backtest::run(&m, "MSP", &e, &many, &hooks).unwrap_err();
    assert!(err.to_string().contains("at most 100000"), "{err}");
    // Three days, one ticket: no metric, so no verdict (not a vacuous "reproduces").
    let short = export(
        vec![ticket(at(2024, 3, 7, 16, 0), None, None, Priority::P3)],
        at(2024, 3, 6, 0, 0),
        at(2024, 3, 9, 0, 0),
    );
    let err = backtest::run(&m, "MSP", &short, &opts, &hooks).unwrap_err();
    assert!(err.to_string().contains("nothing to compare"), "{err}");
    assert!(err.to_string().contains("shorter than a week"), "{err}");
}

#[test]
fn charts_and_csv_show_every_metric() {
    use covsim::calibrate::backtest_text::{csv_table, table_text};
    use covsim::report::charts::backtest::render_backtest_charts;
    use covsim::report::i18n::Lang;
    let m = starter();
    let doubled = scenario::from_str(&starter_with_effort(2.0), "doubled.toml").unwrap();
    let e = simulated::export(&doubled, 0, HISTORY);
    let b = hooks_run(&m, "Single admin", &e, 60, 1);
    for lang in [Lang::En, Lang::De] {
        let files = render_backtest_charts(&b, lang).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "chart-backtest-response.png",
                "chart-backtest-response.svg",
                "chart-backtest-resolution.png",
                "chart-backtest-resolution.svg",
                "chart-backtest-volume.png",
                "chart-backtest-volume.svg",
                "chart-backtest-backlog.png",
                "chart-backtest-backlog.svg",
            ]
        );
        for (n, bytes) in &files {
            if n.ends_with(".png") {
                assert!(bytes.starts_with(b"\x89PNG"));
            } else {
                let svg = String::from_utf8(bytes.clone()).unwrap();
                assert!(svg.contains("Noto Sans"));
            }
            // Set COVSIM_KEEP_CHARTS to a folder to look at them.
            if let Some(dir) = std::env::var_os("COVSIM_KEEP_CHARTS") {
                std::fs::write(
                    std::path::Path::new(&dir).join(format!("{}-{n}", lang.code())),
                    bytes,
                )
                .unwrap();
            }
        }
        // The same backtest draws the same bytes.
        assert_eq!(files, render_backtest_charts(&b, lang).unwrap());
        let text = table_text(&b, lang);
        if let Some(dir) = std::env::var_os("COVSIM_KEEP_CHARTS") {
            std::fs::write(
                std::path::Path::new(&dir).join(format!("{}-table.txt", lang.code())),
                &text,
            )
            .unwrap();
        }
    }
    let csv = String::from_utf8(csv_table(&b, Lang::En).to_csv(covsim::report::csv::CsvLocale::En))
        .unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "metric,priority,observed,sim_p5,sim_p5_ci_low,sim_p5_ci_high,sim_median,sim_p95,\
         sim_p95_ci_low,sim_p95_ci_high,replications_with_value,verdict,borderline,likely_cause"
    );
    assert_eq!(lines.count(), b.comparisons.len());
    assert!(csv.contains("\nresponse_p3_p50_bh,P3,"));
    assert!(csv.contains("\nbacklog_2026-12-31,,"));
}
