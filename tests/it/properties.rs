//! Property tests over scenario values and names: whatever the input, validation gives a model
//! or located errors and never panics; accepted names round-trip through the CSV files;
//! accepted weekly hours are normalised. No simulation, so each property runs in a second.

use covsim::report::csv::{Cell, CsvLocale, Table, unprotect};
use covsim::scenario::{self, Override, STARTER, ScenarioErrors, from_str_with, parse_set};
use proptest::prelude::*;

use crate::names::{scenario_with_setups, toml_string};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // Shrinking failures is welcome; a failure file in the source tree is not.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Every error says where: a line in the file, or a field path (errors of `--set` values have
/// no line, the override is in the file label), and what is wrong.
#[track_caller]
fn located(errors: &ScenarioErrors) {
    assert!(!errors.0.is_empty(), "an error without a problem");
    for e in &errors.0 {
        assert!(
            e.line > 0 || !e.path.is_empty(),
            "error without a location: {e}"
        );
        assert!(!e.message.is_empty(), "error without a message: {e:?}");
    }
    // Printing them must not panic, and must not pass control characters to the terminal.
    let printed = errors.to_string();
    assert!(
        !printed.chars().any(|c| c != '\n' && c.is_control()),
        "{printed:?}"
    );
}

/// Text as it comes back from the CSV file `table` writes in `locale`: cell (0, 0), with the
/// formula protection undone the way the chart and report readers undo it.
fn csv_round_trip(text: &str, locale: CsvLocale) -> String {
    let table = Table {
        header: vec!["setup".into(), "value".into()],
        rows: vec![vec![Cell::Text(text.to_owned()), Cell::Num(-1.5)]],
    };
    let bytes = table.to_csv(locale);
    let mut r = csv::ReaderBuilder::new()
        .delimiter(if locale == CsvLocale::De { b';' } else { b',' })
        .from_reader(bytes.as_slice());
    let row = r.records().next().expect("one row").expect("readable CSV");
    unprotect(&row[0]).to_owned()
}

/// Names: mostly the characters that matter (formula starts, the apostrophe, quotes,
/// delimiters, controls, bidi overrides, XML specials), sometimes anything.
fn name() -> impl Strategy<Value = String> {
    let interesting = prop::sample::select(vec![
        '\'', '=', '+', '-', '@', '\t', '\r', '\n', '"', ',', ';', '\\', '<', '>', '&', ' ', 'a',
        'Z', 'ä', '€', '\0', '\x1b', '\x7f', '\u{85}', '\u{202E}', '\u{2066}', '\u{2028}',
        '\u{FFFF}', '\u{FFFD}', '😀',
    ]);
    let text = prop::collection::vec(interesting, 0..8).prop_map(|v| v.into_iter().collect());
    let start = prop::sample::select(vec!["'", "''", "'=", "'-", "=", "+", "@"]);
    prop_oneof![
        text.clone(),
        (start, text).prop_map(|(s, t): (&str, String)| format!("{s}{t}")),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_setup_name_validates_and_round_trips_or_is_refused_with_a_location(name in name()) {
        match scenario::from_str(&scenario_with_setups("names", &[&name]), "names.toml") {
            Ok(m) => {
                prop_assert_eq!(&m.setups[0].name, &name);
                for locale in [CsvLocale::En, CsvLocale::De] {
                    prop_assert_eq!(csv_round_trip(&name, locale), name.clone());
                }
            }
            Err(e) => located(&e),
        }
    }

    #[test]
    fn a_scenario_name_validates_or_is_refused_with_a_location(name in name()) {
        match scenario::from_str(&scenario_with_setups(&name, &["s"]), "names.toml") {
            Ok(m) => prop_assert_eq!(m.name, name),
            Err(e) => located(&e),
        }
    }

    #[test]
    fn any_number_set_on_the_starter_validates_or_is_refused_with_a_location(
        key in prop::sample::select(vec![
            "company.pcs",
            "company.users",
            "company.year",
            "simulation.replications",
            "simulation.years",
            "simulation.warmup_days",
            "simulation.seed",
            "categories[0].tickets_per_year",
            "categories[password-reset].tickets_per_user_month",
            "categories[printer].effort_h",
            "categories[printer].weekday_factors",
            "profiles.it-admin.vacation_days_per_year",
            "profiles.it-admin.salary_eur_per_year",
            "msp.silver.technicians",
            "setups[0].documentation_quality",
            "costs.downtime_eur_per_user_hour",
        ]),
        value in prop_oneof![
            any::<f64>().prop_map(|x| format!("{x}")),
            any::<f64>().prop_map(|x| format!("{x:e}")),
            any::<i64>().prop_map(|x| x.to_string()),
            (-3i64..200).prop_map(|x| x.to_string()),
            Just("nan".to_owned()),
            Just("-inf".to_owned()),
            Just("[1, 2, 3, 4, 5, 6, 7]".to_owned()),
        ],
    ) {
        let arg = format!("{key}={value}");
        let Ok((path, values)) = parse_set(&arg) else { return Ok(()) };
        for v in values {
            match from_str_with(STARTER, "starter.toml", &[Override::new(path.clone(), v)]) {
                Ok(_) => {}
                Err(e) => located(&e),
            }
        }
    }

    #[test]
    fn any_hours_text_is_refused_with_a_location_or_normalised(text in hours_text()) {
        let s = scenario_with_setups("hours", &["s"]).replace(
            "[company]\npcs = 10\n",
            &format!("[company]\npcs = 10\nbusiness_hours = {}\n", toml_string(&text)),
        );
        prop_assert!(s.contains("business_hours"));
        match scenario::from_str(&s, "hours.toml") {
            Ok(m) => {
                let hours = &m.company.hours;
                let mut open = false;
                for d in 0..7 {
                    let spans: Vec<(u32, u32)> = hours.spans(d).collect();
                    prop_assert!(spans.len() <= covsim::calendar::MAX_SPANS_PER_DAY);
                    for &(start, end) in &spans {
                        prop_assert!(start < end && end <= 1440, "{:?} of {}", spans, text);
                    }
                    // Sorted, disjoint and not touching (touching spans are joined).
                    for w in spans.windows(2) {
                        prop_assert!(w[0].1 < w[1].0, "{:?} of {}", spans, text);
                    }
                    open |= !spans.is_empty();
                }
                prop_assert!(open, "no open day accepted: {}", text);
            }
            Err(e) => {
                located(&e);
                prop_assert!(e.0.iter().any(|x| x.path == "company.business_hours"), "{}", e);
            }
        }
    }
}

/// Weekly-hours texts: mostly made of the grammar's pieces, mostly valid ones (so that many
/// texts are accepted and some of those have overlapping or touching spans), sometimes anything.
fn hours_text() -> impl Strategy<Value = String> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let days = prop_oneof![
        4 => (0usize..7, 0usize..7).prop_map(|(a, b)| {
            let (a, b) = (a.min(b), a.max(b));
            if a == b { DAYS[a].to_owned() } else { format!("{}-{}", DAYS[a], DAYS[b]) }
        }),
        1 => prop::sample::select(vec!["Mo-Fr", "monday", "fri-mon", "xyz", "", "sa-so"])
            .prop_map(str::to_owned),
    ];
    let hhmm = |half_hours: u32| format!("{:02}:{:02}", half_hours / 2, half_hours % 2 * 30);
    let span = prop_oneof![
        6 => (0u32..48, 1u32..12).prop_map(move |(a, len)| {
            format!("{}-{}", hhmm(a), hhmm((a + len).min(48)))
        }),
        1 => (0u32..26, prop::sample::select(vec![0u32, 30, 59, 60]), 0u32..26)
            .prop_map(|(a, m, b)| format!("{a:02}:{m:02}-{b}")),
    ];
    let group = (days, span).prop_map(|(d, s)| format!("{d} {s}"));
    let sep = prop::sample::select(vec!["; ", ", ", ";", " ,"]);
    prop_oneof![
        6 => prop::collection::vec((group, sep), 1..5).prop_map(|g| {
            g.into_iter().map(|(g, s)| format!("{g}{s}")).collect()
        }),
        1 => any::<String>(),
        1 => prop::sample::select(vec!["8x5", "24x7", "closed", "", "mon-fri 08:00-12:00, 13:00-17:00"])
            .prop_map(str::to_owned),
    ]
}
