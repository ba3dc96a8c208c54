//! Reading ticket exports (issue 14): one fixture per mess case with its expected counts and
//! messages, a round trip per preset, an XLSX workbook, and a property test that no input
//! panics.

use std::path::Path;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use covsim::calibrate::ingest::{
    self, Field, IngestError, ReadOptions, parse_map, parse_priority_map, presets, read_export,
    read_export_bytes, write_export,
};
use covsim::calibrate::{Export, ExportTicket, Problem};
use covsim::model::Priority::{self, *};

const DIR: &str = "tests/fixtures/exports";

fn dt(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("test date")
}

fn read(file: &str, opts: &ReadOptions) -> Export {
    read_export(&Path::new(DIR).join(file), opts)
        .unwrap_or_else(|e| panic!("{file} must read: {e}"))
}

fn read_err(file: &str, opts: &ReadOptions) -> IngestError {
    match read_export(&Path::new(DIR).join(file), opts) {
        Ok(e) => panic!("{file} must not read, got {} tickets", e.tickets.len()),
        Err(e) => e,
    }
}

fn ticket<'a>(e: &'a Export, id: &str) -> &'a ExportTicket {
    e.tickets
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("ticket {id} missing"))
}

fn problem<'a>(e: &'a Export, starts: &str) -> &'a Problem {
    e.report
        .problems
        .iter()
        .find(|p| p.reason.starts_with(starts))
        .unwrap_or_else(|| panic!("no problem '{starts}' in {:#?}", e.report.problems))
}

fn note(e: &Export, contains: &str) -> bool {
    e.report.notes.iter().any(|n| n.contains(contains))
}

fn map(arg: &str) -> ReadOptions {
    ReadOptions {
        map: parse_map(arg).expect("valid map"),
        ..ReadOptions::default()
    }
}

#[test]
fn german_excel_in_windows_1252_is_read_with_map_and_keeps_no_personal_data() {
    let opts = map(
        "id=Ticket-Nr.,created=Erstellt am,priority=Priorität,category=Kategorie,\
         closed=Geschlossen am,status=Status",
    );
    let e = read("german-excel-cp1252.csv", &opts);
    assert_eq!(e.report.preset, "map");
    assert!(note(&e, "Windows-1252"), "{:#?}", e.report.notes);
    assert!(note(&e, "delimiter ';'"));
    assert_eq!(e.report.rows, 5);
    assert_eq!(e.tickets.len(), 5);
    let t = ticket(&e, "1002");
    assert_eq!(t.created, dt("2025-01-02 09:02"));
    assert_eq!(t.closed, Some(dt("2025-01-02 11:30")));
    assert_eq!((t.priority, t.category.as_str()), (P1, "Server"));
    assert_eq!(t.line, 3, "CR LF line ends counted once");
    // "in Bearbeitung" is open: censored, not dropped.
    assert_eq!(ticket(&e, "1004").closed, None);
    assert_eq!(
        e.report.priority_mapping,
        vec![
            ("Mittel".to_string(), P3),
            ("Kritisch".to_string(), P1),
            ("Niedrig".to_string(), P4),
            ("Hoch".to_string(), P2),
            ("Normal".to_string(), P3),
        ]
    );
    // GDPR: subject and requester columns are seen but never read, and said so.
    assert!(e.report.columns_seen.contains(&"Anfragender".to_string()));
    assert!(
        !e.report
            .columns_used
            .iter()
            .any(|(_, c)| c == "Anfragender" || c == "Betreff")
    );
    assert!(note(&e, "personal columns"));
    let all = format!("{e:?}");
    for personal in ["Müller", "Jörg", "Drucker im Büro", "Passwort"] {
        assert!(!all.contains(personal), "{personal} leaked into the export");
    }
    // Without the map nothing names a known column: exit 2 with what was seen.
    let err = read_err("german-excel-cp1252.csv", &ReadOptions::default());
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("\"Erstellt am\""), "{err}");
}

#[test]
fn offsets_become_berlin_time_and_dst_changes_are_handled_and_reported() {
    let e = read("znuny-offsets-dst.csv", &ReadOptions::default());
    assert_eq!(e.report.preset, "auto: znuny");
    assert!(note(&e, "preset detected from the header: znuny"));
    // 00:30 UTC on the spring change is still winter time; 01:15 UTC is summer time.
    let t = ticket(&e, "2025033010000011");
    assert_eq!(t.created, dt("2025-03-30 01:30"));
    assert_eq!(t.first_response, Some(dt("2025-03-30 03:15")));
    assert_eq!(t.closed, Some(dt("2025-03-30 08:00")));
    assert_eq!(t.effort_h, Some(0.5));
    // A naive 02:30 on that day does not exist: moved to 03:30, reported.
    assert_eq!(
        ticket(&e, "2025033010000022").created,
        dt("2025-03-30 03:30")
    );
    assert!(
        note(&e, "1 local times fall into the spring DST gap"),
        "{:#?}",
        e.report.notes
    );
    // 02:30 on the autumn change exists twice: kept, reported.
    assert_eq!(
        ticket(&e, "2025102610000033").created,
        dt("2025-10-26 02:30")
    );
    assert!(note(&e, "1 local times fall into the repeated autumn hour"));
    // 00:30 UTC and 01:30 UTC are both 02:30 local that night.
    let t = ticket(&e, "2025102610000044");
    assert_eq!(
        (t.created, t.closed),
        (dt("2025-10-26 02:30"), Some(dt("2025-10-26 02:30")))
    );
    assert_eq!(
        ticket(&e, "2025070110000055").created,
        dt("2025-07-01 16:00")
    );
    assert!(note(&e, "6 times with a UTC offset converted"));
    assert_eq!(ticket(&e, "2025102610000033").priority, P1);
    assert_eq!(ticket(&e, "2025102610000044").priority, P4);
    assert_eq!(e.observed_until, dt("2025-10-26 04:00"));
    assert_eq!(e.observed_from, dt("2025-03-30 00:00"));
    // Personal columns of the Znuny CSV are not read.
    assert!(!format!("{e:?}").contains("max@example.com"));
}

#[test]
fn an_event_log_becomes_one_ticket_per_id_in_its_latest_state() {
    let e = read("event-log-zammad.csv", &ReadOptions::default());
    assert_eq!(e.report.preset, "auto: zammad");
    assert_eq!(e.report.rows, 9);
    assert_eq!(e.tickets.len(), 3);
    assert!(
        note(&e, "event log: 9 rows folded into 3 tickets"),
        "{:#?}",
        e.report.notes
    );
    let t = ticket(&e, "31001");
    assert_eq!(t.closed, Some(dt("2025-05-05 11:00")));
    assert_eq!(t.first_response, Some(dt("2025-05-05 09:20")));
    assert_eq!(t.priority, P2, "the latest priority");
    assert_eq!(t.effort_h, Some(40.0 / 60.0));
    assert_eq!(t.line, 4, "the kept row is the latest");
    // Reopened after a close: open at export time.
    assert_eq!(ticket(&e, "31002").closed, None);
    assert!(note(&e, "1 tickets open again after an earlier close"));
    // Closed twice: the last close; first response: the earliest.
    let t = ticket(&e, "31003");
    assert_eq!(t.closed, Some(dt("2025-05-09 10:00")));
    assert_eq!(t.first_response, Some(dt("2025-05-07 12:30")));
    assert!(e.report.problems.is_empty(), "{:#?}", e.report.problems);
}

#[test]
fn duplicate_ids_are_reported_and_counted_once() {
    let e = read("duplicates-freshdesk.csv", &ReadOptions::default());
    assert_eq!(e.report.preset, "auto: freshdesk");
    assert_eq!(e.tickets.len(), 3);
    let dup = problem(&e, "id: duplicate row");
    assert_eq!((dup.count, dup.example_lines.clone()), (2, vec![4, 7]));
    let other = problem(&e, "id: duplicate id with another creation time");
    assert_eq!((other.count, other.example_lines.clone()), (1, vec![6]));
    let t = ticket(&e, "502");
    assert_eq!(
        (t.created, t.effort_h),
        (dt("2025-02-03 11:00"), Some(1.25))
    );
    assert_eq!(
        ticket(&e, "501").first_response,
        Some(dt("2025-02-03 09:10"))
    );
    assert_eq!(ticket(&e, "503").closed, None);
}

#[test]
fn open_tickets_are_censored_not_dropped() {
    let e = read("open-tickets-servicenow.csv", &ReadOptions::default());
    assert_eq!(e.report.preset, "auto: servicenow");
    assert_eq!(e.tickets.len(), 5);
    let open: Vec<&str> = e
        .tickets
        .iter()
        .filter(|t| t.closed.is_none())
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(open, ["INC0010002", "INC0010003", "INC0010005"]);
    // resolved_at ends a ticket, not the later closed_at.
    assert_eq!(
        ticket(&e, "INC0010001").closed,
        Some(dt("2025-09-01 12:00"))
    );
    assert_eq!(ticket(&e, "INC0010005").priority, P4, "5 - Planning");
    assert_eq!(e.observed_until, dt("2025-09-30 17:00"));
    assert!(note(&e, "3 tickets still open at 2025-09-30 17:00"));

    // With --until the export ends earlier: later closes are censored, later tickets excluded.
    let opts = ReadOptions {
        until: Some(dt("2025-09-01 10:00")),
        ..ReadOptions::default()
    };
    let e = read("open-tickets-servicenow.csv", &opts);
    assert_eq!(e.observed_until, dt("2025-09-01 10:00"));
    assert_eq!(e.tickets.len(), 1);
    assert_eq!(
        e.tickets[0].closed, None,
        "closed after --until: still open then"
    );
    assert_eq!(problem(&e, "created: after --until").count, 4);
}

#[test]
fn merged_spam_cancelled_and_deleted_tickets_are_excluded_and_counted() {
    let opts = map(
        "id=Id,created=Created,status=Status,priority=Priority,category=Category,closed=Resolved",
    );
    let e = read("excluded-statuses.csv", &opts);
    assert_eq!(e.report.preset, "map");
    let ids: Vec<&str> = e.tickets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["1", "7"]);
    for (reason, count, lines) in [
        ("status: merged", 2, vec![3, 9]),
        ("status: spam", 1, vec![4]),
        ("status: cancelled", 2, vec![5, 7]),
        ("status: deleted", 1, vec![6]),
    ] {
        let p = problem(&e, reason);
        assert_eq!(
            (p.count, p.example_lines.clone()),
            (count, lines),
            "{reason}"
        );
    }
    assert!(note(
        &e,
        "status \"Storniert\" (1 rows) is not one of the preset's values"
    ));
}

#[test]
fn missing_and_unparseable_cells_are_counted_with_example_lines() {
    let e = read("bad-cells-osticket.csv", &ReadOptions::default());
    assert_eq!(e.report.preset, "auto: osticket");
    assert_eq!(e.report.rows, 14);
    let ids: Vec<&str> = e.tickets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["100001", "100009", "100010"]);
    // US dates: month first.
    assert_eq!(ticket(&e, "100001").created, dt("2024-12-31 17:05"));
    assert_eq!(ticket(&e, "100001").closed, Some(dt("2025-01-02 09:00")));
    assert_eq!(ticket(&e, "100010").created, dt("2025-01-05 15:00"));
    let bad = problem(&e, "created: unparseable date-time");
    assert_eq!(
        (bad.count, bad.example_lines.clone()),
        (6, vec![4, 8, 12, 13, 14])
    );
    assert!(
        bad.reason.contains("31.12.2025 17:05"),
        "says what would be right"
    );
    assert_eq!(problem(&e, "created: empty").example_lines, vec![3]);
    assert_eq!(problem(&e, "closed: unparseable").example_lines, vec![5]);
    assert_eq!(
        problem(&e, "closed: a closed ticket without a usable closing time").example_lines,
        vec![5, 9]
    );
    assert_eq!(
        problem(&e, "closed: before its creation").example_lines,
        vec![7]
    );
    assert_eq!(problem(&e, "priority: empty").example_lines, vec![6]);
    // Every data row is accounted for: kept, or counted under a reason that excludes it.
    let excluding: u64 = e
        .report
        .problems
        .iter()
        .filter(|p| !p.reason.starts_with("closed: unparseable"))
        .map(|p| p.count)
        .sum();
    assert_eq!(excluding + e.tickets.len() as u64, e.report.rows);
}

#[test]
fn priorities_are_mapped_shown_and_overridable() {
    let e = read("priorities-glpi.csv", &ReadOptions::default());
    assert_eq!(e.report.preset, "auto: glpi");
    let prio: Vec<Priority> = e.tickets.iter().map(|t| t.priority).collect();
    assert_eq!(prio, [P1, P2, P3, P4, P1, P4, P1]);
    let unknown = problem(&e, "priority: unknown value \"Whenever\"");
    assert_eq!(
        (unknown.count, unknown.example_lines.clone()),
        (2, vec![9, 10])
    );
    assert!(unknown.reason.contains("--priority-map"));
    assert!(
        e.report
            .priority_mapping
            .contains(&("Major".to_string(), P1))
    );
    assert!(e.report.priority_mapping.contains(&("5".to_string(), P1)));
    let opts = ReadOptions {
        priority_map: parse_priority_map("Whenever=P4,Medium=P2").unwrap(),
        ..ReadOptions::default()
    };
    let e = read("priorities-glpi.csv", &opts);
    assert_eq!(e.tickets.len(), 9);
    assert_eq!(ticket(&e, "3").priority, P2, "the user's mapping wins");
    assert_eq!(ticket(&e, "9").category, "uncategorised");
    assert!(
        e.report
            .priority_mapping
            .contains(&("Whenever".to_string(), P4))
    );
}

#[test]
fn a_file_with_nothing_usable_says_what_it_saw_and_what_it_looked_for() {
    let err = read_err("nothing-usable.csv", &ReadOptions::default());
    assert_eq!(err.exit_code(), 2);
    let msg = err.to_string();
    for part in [
        "tests/fixtures/exports/nothing-usable.csv: nothing usable",
        "columns seen (line 1): \"Name\", \"E-Mail\", \"Telefon\"",
        "zammad (# | Number + Created At)",
        "znuny (Ticket Number",
        "--map id=COLUMN,created=COLUMN",
    ] {
        assert!(msg.contains(part), "'{part}' missing in: {msg}");
    }
    let err = read_err("no-usable-rows.csv", &ReadOptions::default());
    let msg = err.to_string();
    assert!(
        msg.contains("none of its 2 data rows gave a ticket"),
        "{msg}"
    );
    assert!(msg.contains("created: unparseable date-time"), "{msg}");
    assert!(msg.contains("created: empty"), "{msg}");
    assert!(
        msg.contains("columns read: id=Ticket ID, created=Created time"),
        "{msg}"
    );
    let err = read_err("excluded-statuses.csv", &map("id=Id,created=Erstellt"));
    assert!(
        err.to_string()
            .contains("--map created=Erstellt: no column 'Erstellt' in the header (line 1)"),
        "{err}"
    );
}

#[test]
fn utf16_with_tabs_and_jira_dates() {
    let e = read("jira-utf16-tabs.txt", &ReadOptions::default());
    assert_eq!(e.report.preset, "auto: jira");
    assert!(
        note(&e, "UTF-16 LE") && note(&e, "delimiter tab"),
        "{:#?}",
        e.report.notes
    );
    assert_eq!(e.tickets.len(), 2);
    let t = ticket(&e, "IT-1");
    assert_eq!(t.created, dt("2024-12-31 17:05"));
    assert_eq!(t.closed, Some(dt("2025-01-02 09:00")));
    assert_eq!(t.effort_h, Some(1.5), "Time Spent is in seconds");
    assert_eq!(t.category, "Get IT help");
    assert_eq!(ticket(&e, "IT-3").priority, P1);
    assert_eq!(problem(&e, "status: cancelled").example_lines, vec![3]);
}

#[test]
fn utf8_bom_pipes_and_utc_times_of_a_psa() {
    let e = read("autotask-bom-pipes.csv", &ReadOptions::default());
    assert_eq!(e.report.preset, "auto: autotask");
    assert!(note(&e, "delimiter '|'"));
    let t = ticket(&e, "T20250101.0001");
    assert_eq!((t.created, t.priority), (dt("2025-01-01 08:30"), P1));
    assert_eq!(t.first_response, Some(dt("2025-01-01 08:45")));
    let t = ticket(&e, "T20250101.0002");
    assert_eq!(t.created, dt("2025-06-16 00:30"), "summer time: UTC+2");
    assert_eq!((t.priority, t.category.as_str()), (P3, "7"));
    assert_eq!(ticket(&e, "T20250101.0003").closed, None);
}

#[test]
fn an_xlsx_report_with_title_rows_and_date_cells() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let when = Format::new().set_num_format("dd.mm.yyyy hh:mm");
    {
        let s = book.add_worksheet();
        s.set_name("Info").unwrap();
        s.write_string(0, 0, "Zammad report, not the tickets")
            .unwrap();
    }
    let s = book.add_worksheet();
    s.set_name("Tickets").unwrap();
    s.write_string(0, 0, "2025-01").unwrap();
    let head = [
        "#",
        "Title",
        "State",
        "Priority",
        "Group",
        "Customer",
        "Created At",
        "Closed At",
        "Time Units Total",
    ];
    for (c, h) in head.iter().enumerate() {
        s.write_string(2, c as u16, *h).unwrap();
    }
    // id, state, priority, group, created and closed (day, hour, minute), time units
    type Row<'a> = (&'a str, &'a str, &'a str, &'a str, Day, Option<Day>, f64);
    type Day = (u8, u16, u8);
    let rows: [Row; 2] = [
        (
            "70001",
            "closed",
            "3 high",
            "Users",
            (2, 8, 15),
            Some((2, 9, 45)),
            30.0,
        ),
        ("70002", "open", "2 normal", "Admins", (3, 14, 0), None, 0.0),
    ];
    for (r, (id, state, prio, group, created, closed, units)) in rows.iter().enumerate() {
        let r = r as u32 + 3;
        s.write_number(r, 0, id.parse::<f64>().unwrap()).unwrap();
        s.write_string(r, 1, "Secret subject").unwrap();
        s.write_string(r, 2, *state).unwrap();
        s.write_string(r, 3, *prio).unwrap();
        s.write_string(r, 4, *group).unwrap();
        s.write_string(r, 5, "Jane Doe").unwrap();
        let d = |(day, h, m): (u8, u16, u8)| {
            ExcelDateTime::from_ymd(2025, 1, day)
                .unwrap()
                .and_hms(h, m, 0)
                .unwrap()
        };
        s.write_datetime_with_format(r, 6, d(*created), &when)
            .unwrap();
        if let Some(c) = closed {
            s.write_datetime_with_format(r, 7, d(*c), &when).unwrap();
        }
        s.write_number(r, 8, *units).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let e = read_export_bytes("report.xlsx", &bytes, &ReadOptions::default()).unwrap();
    assert_eq!(e.report.preset, "auto: zammad");
    assert!(note(&e, "sheet 'Tickets' read") && note(&e, "header on line 3"));
    assert_eq!(e.tickets.len(), 2);
    let t = ticket(&e, "70001");
    assert_eq!(
        (t.created, t.closed),
        (dt("2025-01-02 08:15"), Some(dt("2025-01-02 09:45")))
    );
    assert_eq!((t.priority, t.effort_h, t.line), (P2, Some(0.5), 4));
    assert_eq!(ticket(&e, "70002").closed, None);
    assert!(!format!("{e:?}").contains("Jane Doe"));
    // A workbook that is broken inside is refused with a message, not a panic.
    let mut broken = bytes.clone();
    broken.truncate(bytes.len() / 2);
    let err = read_export_bytes("broken.xlsx", &broken, &ReadOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("broken.xlsx is not a readable workbook"),
        "{err}"
    );
}

#[test]
fn options_and_limits_are_checked_with_clear_messages() {
    for (arg, msg) in [
        ("id", "'id' is not FIELD=COLUMN"),
        (
            "when=Created",
            "unknown field 'when'; fields: id, created, first_response",
        ),
        ("created=", "no column name after 'created='"),
        ("id=A,id=B", "field 'id' given twice"),
    ] {
        let err = parse_map(arg).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("--map {arg}: ")) && err.contains(msg),
            "{err}"
        );
    }
    assert!(
        parse_priority_map("x=P7")
            .unwrap_err()
            .to_string()
            .contains("not one of P1, P2, P3, P4")
    );
    let opts = ReadOptions {
        preset: Some("remedy".to_string()),
        ..ReadOptions::default()
    };
    let err = read_export_bytes("x.csv", b"a,b\n", &opts).unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown preset 'remedy'; known presets: zammad, znuny")
    );
    let err = read_export_bytes(
        "bin.dat",
        b"\x00\x01\x02garbage\x00",
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("neither CSV text nor an XLSX/XLS workbook"),
        "{err}"
    );
    let err = read_export(
        Path::new("tests/fixtures/exports/absent.csv"),
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(
        err.to_string()
            .starts_with("cannot read tests/fixtures/exports/absent.csv")
    );
    assert_eq!(ingest::MAX_BYTES, 256 * 1024 * 1024);
}

#[test]
fn list_presets_shows_every_preset_with_its_columns() {
    let text = ingest::list_presets_text();
    for name in [
        "zammad",
        "znuny",
        "osticket",
        "glpi",
        "jira",
        "servicenow",
        "freshdesk",
        "autotask",
    ] {
        assert!(text.contains(&format!("\n{name}  ")), "{name}");
    }
    for col in [
        "Created At",
        "Ticket Number",
        "Date Created",
        "Opening date",
        "Issue key",
        "opened_at",
        "Created time",
        "createDate",
    ] {
        assert!(text.contains(col), "{col}");
    }
}

/// Tickets of one year as a simulation would give them, in whole minutes; times in the spring
/// DST gap are left out because no clock shows them (reading moves them an hour).
fn sample_tickets(seed: u64, n: usize, first_response: bool, effort: bool) -> Vec<ExportTicket> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = dt("2025-01-01 00:00");
    let categories = [
        "Drucker",
        "Server",
        "E-Mail, Outlook",
        "Netzwerk; VPN",
        "Konto \"AD\"",
    ];
    let mut out = Vec::new();
    while out.len() < n {
        let created = start + Duration::minutes(rng.random_range(0..365 * 24 * 60));
        if ingest_gap(created) {
            continue;
        }
        let closed = (rng.random::<f64>() < 0.8)
            .then(|| created + Duration::minutes(rng.random_range(1..20_000)))
            .filter(|c| !ingest_gap(*c));
        let fr = (first_response && rng.random::<f64>() < 0.9)
            .then(|| created + Duration::minutes(rng.random_range(0..300)))
            .filter(|f| !ingest_gap(*f) && closed.is_none_or(|c| *f <= c));
        out.push(ExportTicket {
            id: format!("T{}", 1000 + out.len()),
            line: 0,
            created,
            first_response: fr,
            closed,
            priority: Priority::ALL[rng.random_range(0..4)],
            category: categories[rng.random_range(0..categories.len())].to_string(),
            effort_h: (effort && closed.is_some()).then(|| rng.random_range(1..600) as f64 / 60.0),
        });
    }
    out.sort_by_key(|t| t.created);
    out
}

fn ingest_gap(t: NaiveDateTime) -> bool {
    let gap = NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();
    t.date() == gap && (2..3).contains(&chrono::Timelike::hour(&t))
}

#[test]
fn every_preset_round_trips_its_own_format() {
    for p in presets() {
        let has_fr = !p.names(Field::FirstResponse).is_empty();
        let has_effort = p.effort_unit.is_some() && !p.names(Field::Effort).is_empty();
        let tickets = sample_tickets(14, 300, has_fr, has_effort);
        let until = dt("2026-03-01 00:00");
        let mut buf = Vec::new();
        write_export(&tickets, until, p.name, &mut buf).unwrap();
        let opts = ReadOptions {
            preset: Some(p.name.to_string()),
            ..ReadOptions::default()
        };
        let e =
            read_export_bytes(p.name, &buf, &opts).unwrap_or_else(|e| panic!("{}: {e}", p.name));
        assert!(
            e.report.problems.is_empty(),
            "{}: {:#?}",
            p.name,
            e.report.problems
        );
        assert_eq!(e.observed_until, until, "{}", p.name);
        assert_eq!(e.tickets.len(), tickets.len(), "{}", p.name);
        for (a, b) in tickets.iter().zip(&e.tickets) {
            let msg = format!("{} ticket {}", p.name, a.id);
            assert_eq!(
                (
                    &a.id,
                    a.created,
                    a.first_response,
                    a.closed,
                    a.priority,
                    &a.category
                ),
                (
                    &b.id,
                    b.created,
                    b.first_response,
                    b.closed,
                    b.priority,
                    &b.category
                ),
                "{msg}"
            );
            match (a.effort_h, b.effort_h) {
                (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{msg}: {x} vs {y}"),
                (x, y) => assert_eq!(x, y, "{msg}"),
            }
        }
        // Detection finds the same preset without being told.
        let auto = read_export_bytes(p.name, &buf, &ReadOptions::default()).unwrap();
        assert_eq!(auto.report.preset, format!("auto: {}", p.name));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = read_export_bytes("fuzz.csv", &bytes, &ReadOptions::default());
    }

    #[test]
    fn csv_like_text_never_panics_and_keeps_its_invariants(
        cells in proptest::collection::vec(
            prop_oneof![
                Just("Ticket Number".to_string()), Just("Created".to_string()),
                Just("Closed".to_string()), Just("State".to_string()), Just("Priority".to_string()),
                Just("FirstResponse".to_string()), Just("2025-03-30 02:30:00".to_string()),
                Just("31.12.2025 17:05".to_string()), Just("2025-10-26T00:30:00Z".to_string()),
                Just("merged".to_string()), Just("closed successful".to_string()),
                Just("open".to_string()), Just("5 very high".to_string()), Just("x".to_string()),
                Just("1".to_string()), Just("2".to_string()), Just(String::new()),
                Just("\"".to_string()), "[ -~äöü]{0,12}",
            ],
            0..60,
        ),
        seps in proptest::collection::vec(prop_oneof![Just(";"), Just(","), Just("\n"), Just("\t")], 60),
        until in proptest::option::of(0i64..400),
    ) {
        let mut text = String::from("Ticket Number;Created;Closed;State;Priority;FirstResponse\n");
        for (c, s) in cells.iter().zip(&seps) {
            text.push_str(c);
            text.push_str(s);
        }
        let opts = ReadOptions {
            until: until.map(|d| dt("2025-01-01 00:00") + Duration::days(d)),
            ..ReadOptions::default()
        };
        if let Ok(e) = read_export_bytes("prop.csv", text.as_bytes(), &opts) {
            prop_assert!(!e.tickets.is_empty());
            prop_assert!(e.tickets.windows(2).all(|w| w[0].created <= w[1].created));
            for t in &e.tickets {
                prop_assert!(t.closed.is_none_or(|c| c >= t.created && c <= e.observed_until));
                prop_assert!(t.first_response.is_none_or(|f| f >= t.created));
                prop_assert!(t.created >= e.observed_from);
            }
            prop_assert!(e.tickets.len() as u64 <= e.report.rows);
        }
    }
}
