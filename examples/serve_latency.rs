//! Latency of `covsim serve` through its HTTP API: from a changed control (the POST) to the
//! first answer (table and charts of 200 replications) and to the answer of 1,000
//! replications, as the page receives them over server-sent events.
//!
//! ```sh
//! cargo run --release --example serve_latency -- [SCENARIO] [CHANGES]
//! ```
//!
//! Defaults: scenarios/mustermann-gmbh.toml, 20 changes. Prints each change's times and the
//! median and P95 (nearest rank). The start's results are computed first (not timed), as on a
//! page that was open before the question came.

use std::io::{BufRead, BufReader};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use covsim::report::i18n::Lang;
use covsim::serve::{App, Config};
use serde_json::{Value, json};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args
        .first()
        .cloned()
        .unwrap_or_else(|| "scenarios/mustermann-gmbh.toml".into());
    let changes: usize = args
        .get(1)
        .map_or(20, |n| n.parse().expect("a number of changes"));
    let text = std::fs::read_to_string(&file).expect("the scenario is readable");
    let app = App::new(Config {
        file: file.clone(),
        text,
        lang: Lang::En,
        first_reps: 200,
        max_reps: 5000,
        threads: None,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    rt.spawn(covsim::serve::serve(Arc::new(app), listener));

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let events = events(&agent, &url);
    let post = |values: Value| -> u64 {
        let mut r = agent
            .post(format!("{url}api/run"))
            .header("content-type", "application/json")
            .send(json!({"page": "bench", "values": values}).to_string())
            .unwrap();
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        assert_eq!(r.status().as_u16(), 202, "{v}");
        v["run"].as_u64().unwrap()
    };
    let t = Instant::now();
    let run = post(json!({}));
    wait(&events, run, 5000);
    eprintln!(
        "start computed (5,000 replications) in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let (mut first, mut thousand) = (Vec::new(), Vec::new());
    for i in 0..changes {
        let values = match i % 4 {
            0 => json!({"company.pcs": (52 + i).to_string()}),
            1 => json!({"setups[0].admins": "2"}),
            2 => json!({"setups[1].documentation_quality": format!("0.{}", 3 + i % 6)}),
            _ => json!({"msp.silver.technicians": (3 + i % 4).to_string()}),
        };
        let t = Instant::now();
        let run = post(values);
        wait(&events, run, 200);
        let a = t.elapsed();
        wait(&events, run, 1000);
        let b = t.elapsed();
        println!(
            "change {i:>2}: first answer {:>6.0} ms, 1,000 replications {:>6.0} ms",
            a.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3
        );
        first.push(a);
        thousand.push(b);
    }
    for (what, mut v) in [
        ("first answer (200)", first),
        ("1,000 replications", thousand),
    ] {
        v.sort();
        let rank = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
        println!(
            "{what}: median {:.0} ms, p95 {:.0} ms ({} changes)",
            rank(0.5).as_secs_f64() * 1e3,
            rank(0.95).as_secs_f64() * 1e3,
            v.len()
        );
    }
}

/// Answers `(run, replications)` of the page's event stream.
fn events(agent: &ureq::Agent, url: &str) -> mpsc::Receiver<(u64, u64)> {
    let r = agent
        .get(format!("{url}api/events?page=bench"))
        .call()
        .unwrap();
    let reader = BufReader::new(r.into_body().into_reader());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut answer = false;
        for line in reader.lines().map_while(Result::ok) {
            if let Some(e) = line.strip_prefix("event: ") {
                answer = e == "answer";
            } else if let Some(d) = line.strip_prefix("data: ")
                && answer
            {
                let v: Value = serde_json::from_str(d).unwrap();
                let key = (
                    v["run"].as_u64().unwrap(),
                    v["replications"].as_u64().unwrap(),
                );
                if tx.send(key).is_err() {
                    return;
                }
            }
        }
    });
    rx
}

fn wait(rx: &mpsc::Receiver<(u64, u64)>, run: u64, reps: u64) {
    loop {
        let got = rx
            .recv_timeout(Duration::from_secs(600))
            .expect("an answer within 10 minutes");
        if got == (run, reps) {
            return;
        }
    }
}
