//! Names from the scenario file in every output: they round-trip through the CSV files
//! unchanged, control characters are refused, and XML/HTML specials are escaped.

use assert_cmd::Command;

fn covsim() -> Command {
    Command::cargo_bin("covsim").expect("the covsim binary is built for tests")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A tiny scenario (one admin, 10 PCs) with one single-admin setup per name.
pub(crate) fn scenario_with_setups(scenario_name: &str, names: &[&str]) -> String {
    let mut s = format!(
        "name = {}\n\
         [company]\npcs = 10\n\
         [simulation]\nreplications = 3\nwarmup_days = 0\ndrain_days = 5\n\
         [[categories]]\nid = \"job\"\ntickets_per_user_month = 0.5\n\
         [[people]]\nid = \"anna\"\nrole = \"admin\"\n",
        toml_string(scenario_name)
    );
    for n in names {
        s.push_str(&format!(
            "[[setups]]\nname = {}\npreset = \"single-admin\"\nadmins = [\"anna\"]\n",
            toml_string(n)
        ));
    }
    s
}

/// `s` as a TOML basic string.
pub(crate) fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Names that start like a spreadsheet formula, or with the apostrophe that protects one.
const FORMULA_NAMES: [&str; 6] = ["'=x", "'-20% budget", "=SUM(A1)", "+1", "-x", "@y"];

#[test]
fn names_that_look_like_formulas_round_trip_through_run_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("formulas.toml");
    std::fs::write(&file, scenario_with_setups("'=scenario", &FORMULA_NAMES)).unwrap();
    let out_dir = dir.path().join("out");
    let out = covsim()
        .args(["run", "-q", "--threads", "1", "--out"])
        .arg(&out_dir)
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = String::from_utf8_lossy(&out.stdout);
    for n in FORMULA_NAMES {
        assert!(printed.contains(n), "{n:?} not printed:\n{printed}");
    }
    // The CSV cells are protected, exactly one apostrophe more than the name.
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).unwrap();
    assert!(summary.contains("\n''=x,"), "{summary}");
    assert!(summary.contains("\n'=SUM(A1),"), "{summary}");

    let html = |dir: &std::path::Path| std::fs::read_to_string(dir.join("report.html")).unwrap();
    let first = html(&out_dir);
    for n in FORMULA_NAMES {
        assert!(first.contains(n), "{n:?} missing from report.html");
    }
    // `report` reads the names back from the CSV files: they must match the scenario's.
    let again = covsim().arg("report").arg(&out_dir).output().unwrap();
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(first, html(&out_dir));
    let texts = svg_texts(&out_dir.join("chart-downtime.svg"));
    for n in FORMULA_NAMES {
        assert!(texts.iter().any(|t| t == n), "{n:?} not in {texts:?}");
    }
}

/// The text of every `<text>` element of an SVG file, which must be well-formed XML.
pub(crate) fn svg_texts(path: &std::path::Path) -> Vec<String> {
    let svg = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&svg)
        .unwrap_or_else(|e| panic!("{} is not well-formed XML: {e}", path.display()));
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            let t: String = n
                .descendants()
                .filter(|t| t.is_text())
                .filter_map(|t| t.text())
                .collect();
            t.trim().to_owned()
        })
        .collect()
}

#[test]
fn xml_specials_in_names_are_escaped_in_every_svg_and_the_report() {
    let names = ["A&B <x> \"q\"", "it's </text> & more"];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("specials.toml");
    std::fs::write(&file, scenario_with_setups("<b>Firma</b> & Co", &names)).unwrap();
    let out_dir = dir.path().join("out");
    let out = covsim()
        .args(["run", "-q", "--threads", "1", "--out"])
        .arg(&out_dir)
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut svgs = 0;
    for entry in std::fs::read_dir(&out_dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            // Parses as XML, and the names come back as text.
            let texts = svg_texts(&path);
            assert!(
                texts.iter().any(|t| t.contains("<b>Firma</b> & Co")),
                "{path:?}"
            );
            svgs += 1;
        }
    }
    assert!(svgs >= 7, "{svgs} SVGs");
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(
        html.contains("A&amp;B &lt;x&gt; &quot;q&quot;"),
        "not escaped"
    );
    assert!(!html.contains("A&B <x>") && !html.contains("<b>Firma"));
    assert!(!html.contains("</text> & more"));
}

#[test]
fn a_control_character_in_a_name_is_refused_and_not_echoed_raw() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("esc.toml");
    std::fs::write(&file, scenario_with_setups("ok", &["red\u{1b}[31m"])).unwrap();
    let out = covsim()
        .args(["run", "-q", "--out"])
        .arg(dir.path().join("out"))
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("esc.toml:15:8: setups[0].name: a control character (U+001B)"),
        "{err}"
    );
    assert!(err.contains("\"red\\u{1b}[31m\""), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(!dir.path().join("out").exists());
}
