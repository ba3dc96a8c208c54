//! Charts and the HTML report: every file is made, has the right size, carries its text in
//! both languages, is deterministic, and draws text with the bundled font.

use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

use covsim::montecarlo::{self, Hooks, Plan};
use covsim::report::charts::{CHARTS, ChartError, SIZE, render_charts};
use covsim::report::csv::CsvLocale;
use covsim::report::html::render_report;
use covsim::report::i18n::Lang;
use covsim::report::output::{RunInfo, render};

const SCENARIO: &str = "scenarios/mustermann-gmbh.toml";

type Files = Vec<(&'static str, Vec<u8>)>;

/// The files of a 20-replication run of the example company, in both CSV locales.
fn files(locale: CsvLocale) -> &'static Files {
    static EN: OnceLock<Files> = OnceLock::new();
    static DE: OnceLock<Files> = OnceLock::new();
    let cell = if locale == CsvLocale::De { &DE } else { &EN };
    cell.get_or_init(|| {
        let text = std::fs::read_to_string(SCENARIO).unwrap();
        let model = covsim::scenario::from_str(&text, SCENARIO).unwrap();
        let cancel = AtomicBool::new(false);
        let hooks = Hooks {
            cancel: &cancel,
            progress: &|_| {},
        };
        let plan = Plan {
            first: 0,
            count: 20,
            threads: Some(2),
        };
        let exp = montecarlo::run(&model, plan, &hooks).unwrap();
        let info = RunInfo {
            scenario_path: SCENARIO.into(),
            scenario_text: text,
            threads: 2,
            wall_time_s: 0.0,
            started_utc: String::new(),
            locale,
            precision: None,
            command_line: String::new(),
        };
        render(&model, &exp, &info)
    })
}

fn charts(lang: Lang) -> &'static Vec<(String, Vec<u8>)> {
    static EN: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    static DE: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    let cell = if lang == Lang::De { &DE } else { &EN };
    cell.get_or_init(|| render_charts(files(CsvLocale::En), lang).unwrap())
}

fn get<'a>(charts: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &charts
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} is missing"))
        .1
}

/// Decoded RGB pixels of a PNG, checking its size.
fn decode(png_bytes: &[u8]) -> Vec<u8> {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), SIZE);
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    buf
}

/// Dark pixels in a rectangle of an RGB image of the chart size.
fn dark_pixels(rgb: &[u8], (x0, y0): (u32, u32), (x1, y1): (u32, u32)) -> usize {
    let w = SIZE.0;
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let i = ((y * w + x) * 3) as usize;
            if rgb[i] < 100 && rgb[i + 1] < 100 && rgb[i + 2] < 100 {
                n += 1;
            }
        }
    }
    n
}

/// The contents of the `<text>` elements of an SVG, trimmed.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let start = t.find('>')? + 1;
            let end = t.find("</text>")?;
            Some(t[start..end].trim().to_string())
        })
        .collect()
}

#[test]
fn every_chart_is_made_as_png_and_svg_of_1920_by_1080() {
    for lang in [Lang::En, Lang::De] {
        let charts = charts(lang);
        assert_eq!(charts.len(), 2 * CHARTS.len());
        for name in CHARTS {
            decode(get(charts, &format!("{name}.png")));
            let svg = std::str::from_utf8(get(charts, &format!("{name}.svg"))).unwrap();
            assert!(
                svg.starts_with("<svg"),
                "{name}.svg does not start with <svg"
            );
            assert!(svg.trim_end().ends_with("</svg>"), "{name}.svg is cut");
            assert!(
                svg.contains("width=\"1920\"") && svg.contains("height=\"1080\""),
                "{name}.svg has the wrong size"
            );
            assert!(
                svg.contains("viewBox=\"0 0 1920 1080\""),
                "{name}.svg does not scale"
            );
            // Every opened element is closed: a cheap well-formedness check.
            let opened = svg.matches("<text").count();
            assert_eq!(opened, svg.matches("</text>").count(), "{name}.svg");
            assert!(opened > 5, "{name}.svg has almost no text");
            assert!(
                svg.contains("sans-serif"),
                "{name}.svg has no font fallback"
            );
        }
    }
}

#[test]
fn svgs_carry_titles_axes_and_legends_in_both_languages() {
    let expect: [(&str, &[&str], &[&str]); 7] = [
        (
            "chart-downtime",
            &[
                "Downtime per year",
                "User-hours lost per year [h]",
                "Support setup",
                "mean",
            ],
            &[
                "Ausfallzeit pro Jahr",
                "Verlorene Arbeitsstunden pro Jahr [h]",
                "Betreuungsmodell",
                "Mittelwert",
            ],
        ),
        (
            "chart-einer-ist-keiner",
            &[
                "Einer ist keiner",
                "calendar days in a row",
                "business hours per year",
            ],
            &[
                "Einer ist keiner",
                "Kalendertage am Stück",
                "Geschäftsstunden pro Jahr",
            ],
        ),
        (
            "chart-backlog",
            &[
                "Backlog over the year",
                "Open tickets at the end of the day",
                "Jan",
                "Oct",
            ],
            &[
                "Rückstau im Jahresverlauf",
                "Offene Tickets am Tagesende",
                "Jan",
                "Okt",
            ],
        ),
        (
            "chart-response",
            &[
                "Response times",
                "Response time [business hours]",
                "SLA response target",
                "target 1 h",
            ],
            &[
                "Reaktionszeiten",
                "Reaktionszeit [Geschäftsstunden]",
                "SLA-Reaktionsziel",
                "Ziel 1 h",
            ],
        ),
        (
            "chart-bad-year",
            &[
                "Risk of a bad year",
                "User-hours lost per year [h]",
                "1 year in 20",
            ],
            &[
                "Risiko eines schlechten Jahres",
                "Verlorene Arbeitsstunden pro Jahr [h]",
                "1 Jahr von 20",
            ],
        ),
        (
            "chart-comparison",
            &[
                "Compared with",
                "95 % confidence interval",
                "difference [h]",
            ],
            &["Vergleich mit", "95-%-Konfidenzintervall", "Differenz [h]"],
        ),
        (
            "chart-cost-risk",
            &[
                "Cost vs risk",
                "Mean total cost per year [€]",
                "User-hours lost in a bad year (P95: 1 year in 20 is worse) [h]",
                "efficient",
                "95 % confidence interval of the mean cost",
            ],
            &[
                "Kosten und Risiko",
                "Mittlere Gesamtkosten pro Jahr [€]",
                "Verlorene Arbeitsstunden in einem schlechten Jahr",
                "effizient",
                "95-%-Konfidenzintervall der mittleren Kosten",
            ],
        ),
    ];
    for (name, en, de) in expect {
        for (lang, words) in [(Lang::En, en), (Lang::De, de)] {
            let svg =
                String::from_utf8(get(charts(lang), &format!("{name}.svg")).to_vec()).unwrap();
            for w in words {
                assert!(svg.contains(w), "{name}.svg ({lang}) lacks {w:?}");
            }
            // Every setup is named (legend or axis).
            for setup in ["Single admin", "Two admins", "MSP", "Hybrid"] {
                if name != "chart-comparison" || setup != "Single admin" {
                    assert!(svg.contains(setup), "{name}.svg ({lang}) lacks {setup}");
                }
            }
            assert!(
                svg.contains("Mustermann GmbH") && svg.contains("20261127"),
                "{name}.svg ({lang}) lacks the footer"
            );
        }
    }
    // German numbers: thousands separator "." in the downtime axis, none of "1,000".
    let de = String::from_utf8(get(charts(Lang::De), "chart-downtime.svg").to_vec()).unwrap();
    let ticks = texts(&de);
    // A thousands tick, whatever the axis range: digits, ".", three zeros.
    let thousands = |t: &String, sep: char| {
        t.split_once(sep).is_some_and(|(a, b)| {
            !a.is_empty() && a.chars().all(|c| c.is_ascii_digit()) && b == "000"
        })
    };
    assert!(
        ticks.iter().any(|t| thousands(t, '.')),
        "German ticks: {ticks:?}"
    );
    assert!(!ticks.iter().any(|t| thousands(t, ',')));
    let en = String::from_utf8(get(charts(Lang::En), "chart-downtime.svg").to_vec()).unwrap();
    assert!(texts(&en).iter().any(|t| thousands(t, ',')));
}

#[test]
fn rendering_twice_gives_identical_bytes_and_the_csv_locale_does_not_matter() {
    let again = render_charts(files(CsvLocale::En), Lang::En).unwrap();
    let first = charts(Lang::En);
    for ((name, a), (_, b)) in first.iter().zip(&again) {
        assert!(a == b, "{name} differs between two renderings");
    }
    // The same run written with German CSVs (";" and decimal commas) gives the same charts.
    let from_de = render_charts(files(CsvLocale::De), Lang::En).unwrap();
    for ((name, a), (_, b)) in first.iter().zip(&from_de) {
        if name.ends_with(".svg") {
            assert!(a == b, "{name} differs between CSV locales");
        }
    }
}

#[test]
fn pngs_have_text_drawn_with_the_bundled_font() {
    // Text is rasterised from the font compiled into the program (no system font lookup):
    // the title band and the footer must have dark pixels, and a lot of them.
    for lang in [Lang::En, Lang::De] {
        for name in CHARTS {
            let rgb = decode(get(charts(lang), &format!("{name}.png")));
            let title = dark_pixels(&rgb, (40, 20), (1880, 95));
            assert!(
                title > 8_000,
                "{name}.png ({lang}): title has {title} dark pixels"
            );
            let footer = dark_pixels(&rgb, (40, 1040), (700, 1075));
            let grey_text = rgb
                .chunks(3)
                .skip(1040 * 1920)
                .filter(|p| p[0] < 200)
                .count();
            assert!(
                footer + grey_text > 500,
                "{name}.png ({lang}): no footer text"
            );
        }
    }
}

#[test]
fn the_report_is_self_contained_and_complete() {
    for lang in [Lang::En, Lang::De] {
        let html = render_report(files(CsvLocale::En), charts(lang), lang).unwrap();
        let html = String::from_utf8(html).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert_eq!(html.matches("<svg").count(), CHARTS.len());
        for banned in ["<script", "<link", "src=", "@import", "url("] {
            assert!(!html.contains(banned), "report has {banned}");
        }
        assert!(html.contains("@media print") && html.contains("break-before: page"));
        let words: &[&str] = match lang {
            Lang::En => &[
                "What the numbers say",
                "in one year out of twenty it loses more than",
                "Results per setup",
                "Difference against",
                "Key assumptions",
                "Response target P1–P4",
                "admin",
                // The scenario's target: P95 of user-hours lost at most 2,000.
                "<b>Target</b>: P95 of “User-hours lost per year” at most 2,000 h (one year in twenty is worse).",
                "The cheapest setup that meets it is",
            ],
            Lang::De => &[
                "Was die Zahlen sagen",
                "in einem von zwanzig Jahren sind es mehr als",
                "Ergebnisse je Betreuungsmodell",
                "Unterschied zu",
                "Wichtige Annahmen",
                "Reaktionsziel P1–P4",
                "Administrator",
                "<b>Ziel</b>: P95 von „Verlorene Arbeitsstunden pro Jahr“ höchstens 2.000 h (eines von zwanzig Jahren ist schlechter).",
                "Das günstigste Modell, das es erreicht, ist",
            ],
        };
        for w in words {
            assert!(html.contains(w), "report ({lang}) lacks {w:?}");
        }
        let again = render_report(files(CsvLocale::En), charts(lang), lang).unwrap();
        assert!(again == html.as_bytes(), "the report is not deterministic");
    }
}

#[test]
fn missing_or_broken_inputs_name_the_file_and_column() {
    let base = files(CsvLocale::En);
    let without: Vec<(&str, Vec<u8>)> = base
        .iter()
        .filter(|(n, _)| *n != "daily.csv")
        .cloned()
        .collect();
    match render_charts(&without, Lang::En) {
        Err(ChartError::MissingFile(f)) => assert_eq!(f, "daily.csv"),
        other => panic!("expected a missing file, got {:?}", other.map(|v| v.len())),
    }
    let broken: Vec<(&str, Vec<u8>)> = base
        .iter()
        .map(|(n, b)| {
            if *n == "times.csv" {
                let text = String::from_utf8(b.clone()).unwrap();
                (
                    *n,
                    text.replacen("cumulative_share", "share", 1).into_bytes(),
                )
            } else {
                (*n, b.clone())
            }
        })
        .collect();
    let e = render_charts(&broken, Lang::En)
        .map(|v| v.len())
        .unwrap_err();
    assert!(
        matches!(&e, ChartError::MissingColumn { file, column } if file == "times.csv" && column == "cumulative_share"),
        "{e}"
    );
    let bad_number: Vec<(&str, Vec<u8>)> = base
        .iter()
        .map(|(n, b)| {
            if *n == "daily.csv" {
                let text = String::from_utf8(b.clone()).unwrap();
                let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
                lines[3] = lines[3].replacen(",2026-01-03,", ",2026-01-03,x", 1);
                (*n, (lines.join("\n") + "\n").into_bytes())
            } else {
                (*n, b.clone())
            }
        })
        .collect();
    let e = render_charts(&bad_number, Lang::En)
        .map(|v| v.len())
        .unwrap_err();
    assert!(
        matches!(&e, ChartError::BadValue { file, line: 4, .. } if file == "daily.csv"),
        "{e}"
    );
    assert_eq!("de".parse::<Lang>().unwrap(), Lang::De);
}
