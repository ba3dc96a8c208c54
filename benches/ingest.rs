//! Reading a ticket export: 100,000 tickets of a Znuny CSV (semicolons, ISO times, an effort
//! column) and of a Jira CSV (quoted fields, Jira's date format), from memory. Benches never
//! write to `output/`.
//!
//! `cargo bench --bench ingest`

use std::hint::black_box;

use chrono::{Duration, NaiveDate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use covsim::calibrate::ExportTicket;
use covsim::calibrate::ingest::{ReadOptions, read_export_bytes, write_export};
use covsim::model::Priority;

/// 100,000 tickets over four years, deterministic (no RNG: a fixed arithmetic pattern).
fn tickets(n: usize) -> Vec<ExportTicket> {
    let start = NaiveDate::from_ymd_opt(2022, 1, 3)
        .unwrap()
        .and_hms_opt(7, 0, 0)
        .unwrap();
    let cats = [
        "Drucker", "Server", "E-Mail", "Netzwerk", "Konto", "Hardware",
    ];
    (0..n)
        .map(|i| {
            let created = start + Duration::minutes((i as i64 * 1_259) % (4 * 365 * 1440));
            let open = i % 10 == 0;
            ExportTicket {
                id: format!("{}", 2_022_000_000 + i),
                line: 0,
                created,
                first_response: Some(created + Duration::minutes((i % 97) as i64)),
                closed: (!open).then(|| created + Duration::minutes(30 + (i % 3000) as i64)),
                priority: Priority::ALL[i % 4],
                category: cats[i % cats.len()].to_string(),
                effort_h: (!open).then(|| (5 + i % 240) as f64 / 60.0),
            }
        })
        .collect()
}

fn read_100k(c: &mut Criterion) {
    let t = tickets(100_000);
    let until = NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10);
    g.throughput(Throughput::Elements(t.len() as u64));
    for preset in ["znuny", "jira"] {
        let mut csv = Vec::new();
        write_export(&t, until, preset, &mut csv).unwrap();
        let opts = ReadOptions::default();
        g.bench_function(format!("read 100k tickets, {preset} CSV"), |b| {
            b.iter(|| {
                let e = read_export_bytes("bench.csv", black_box(&csv), &opts).unwrap();
                assert_eq!(e.tickets.len(), 100_000);
                e
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    // Criterion's plots need system fonts, which a fresh machine does not have; the numbers
    // are what we report.
    config = Criterion::default().without_plots();
    targets = read_100k
}
criterion_main!(benches);
