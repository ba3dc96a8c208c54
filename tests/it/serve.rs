//! `covsim serve` through its HTTP API, against the real binary on an ephemeral port: load,
//! change a value, invalid values, cancellation by a newer change, concurrent pages, bad
//! requests, downloads, and numbers identical to `covsim run`.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const SCENARIO: &str = "scenarios/mustermann-gmbh.toml";

/// Long enough for a loaded 2-core machine; a hung server fails the test instead of hanging it.
const WAIT: Duration = Duration::from_secs(240);

/// A `covsim serve` process, stopped (by its own pid) when dropped.
pub(crate) struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT/`
    pub(crate) url: String,
    agent: ureq::Agent,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One server-sent event.
#[derive(Debug)]
pub(crate) struct Sse {
    pub(crate) event: String,
    pub(crate) data: Value,
}

impl Server {
    /// Starts `covsim serve SCENARIO --port 0 ARGS…` and reads the address it prints.
    pub(crate) fn start(args: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("covsim"))
            .arg("serve")
            .arg(SCENARIO)
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("covsim starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout is piped"))
            .read_line(&mut line)
            .expect("covsim prints its address");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(WAIT))
            .build()
            .into();
        Server { child, url, agent }
    }

    /// GET: status and body.
    pub(crate) fn get(&self, path: &str) -> (u16, Vec<u8>) {
        let mut r = self
            .agent
            .get(format!("{}{path}", self.url))
            .call()
            .expect("the server answers");
        let body = r
            .body_mut()
            .with_config()
            .limit(200 << 20)
            .read_to_vec()
            .expect("a body");
        (r.status().as_u16(), body)
    }

    /// GET of JSON.
    pub(crate) fn get_json(&self, path: &str) -> (u16, Value) {
        let (s, b) = self.get(path);
        (s, serde_json::from_slice(&b).expect("JSON"))
    }

    /// POST of raw bytes: status and JSON answer.
    pub(crate) fn post_raw(&self, path: &str, body: &[u8]) -> (u16, Value) {
        let mut r = self
            .agent
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .send(body)
            .expect("the server answers");
        let text = r.body_mut().read_to_string().expect("a body");
        let v = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(_) => Value::String(text),
        };
        (r.status().as_u16(), v)
    }

    /// POST /api/run for `page` with `values`.
    pub(crate) fn change(&self, page: &str, values: Value) -> (u16, Value) {
        let body = json!({ "page": page, "values": values }).to_string();
        self.post_raw("api/run", body.as_bytes())
    }

    /// The event stream of `page`, parsed on a thread of its own.
    pub(crate) fn events(&self, page: &str) -> mpsc::Receiver<Sse> {
        let r = self
            .agent
            .get(format!("{}api/events?page={page}", self.url))
            .config()
            .timeout_global(None)
            .build()
            .call()
            .expect("the event stream opens");
        assert_eq!(r.status().as_u16(), 200);
        let reader = BufReader::new(r.into_body().into_reader());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut event = String::new();
            for line in reader.lines() {
                let Ok(line) = line else { return };
                if let Some(e) = line.strip_prefix("event: ") {
                    event = e.to_string();
                } else if let Some(d) = line.strip_prefix("data: ") {
                    let data = serde_json::from_str(d).expect("events carry JSON");
                    let sse = Sse {
                        event: std::mem::take(&mut event),
                        data,
                    };
                    if tx.send(sse).is_err() {
                        return;
                    }
                }
            }
        });
        rx
    }
}

/// Waits for the answer of `run` with `replications`; panics after [`WAIT`].
pub(crate) fn answer(rx: &mpsc::Receiver<Sse>, run: u64, replications: u64) -> Value {
    let end = Instant::now() + WAIT;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        let e = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no answer of run {run} at {replications} replications"));
        if e.event == "progress" && e.data["state"] == "failed" {
            panic!("the run failed: {}", e.data);
        }
        if e.event == "answer" && e.data["run"] == run && e.data["replications"] == replications {
            return e.data;
        }
    }
}

fn covsim() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("covsim"))
}

#[test]
fn serve_loads_the_page_and_generates_controls_from_the_scenario() {
    let s = Server::start(&["--first-reps", "10", "--reps", "10"]);
    let (status, html) = s.get("");
    assert_eq!(status, 200);
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("<title>Mustermann GmbH"), "{html}");
    assert!(
        !html.contains("http"),
        "the page loads nothing from the network"
    );
    for asset in ["page.js", "page.css"] {
        assert_eq!(s.get(asset).0, 200, "{asset}");
    }
    let (status, info) = s.get_json("api/scenario");
    assert_eq!(status, 200);
    assert_eq!(info["setups"].as_array().unwrap().len(), 4);
    let ids: Vec<&str> = info["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for id in [
        "company.pcs",
        "company.users",
        "volume",
        "setups[0].admins",
        "setups[1].documentation_quality",
        "people[2].it_share",
        "profiles.it-admin.quit_probability_per_year",
        "profiles.it-admin.time_to_fill_days",
        "msp.silver.technicians",
        "msp.silver.fee_eur_per_pc_month",
        "emergency.default.interim",
        "costs.downtime_eur_per_user_hour",
        "report.target.max",
    ] {
        assert!(ids.contains(&id), "no control {id} in {ids:?}");
    }
    // Generated, not fixed: an MSP setup has no admins to count.
    assert!(!ids.contains(&"setups[2].admins"), "{ids:?}");
}

/// The page's numbers after a change are `covsim run`'s for the downloaded scenario, at every
/// stage (the last one appended to the first), and so is every file of the run folder.
#[test]
fn serve_numbers_are_identical_to_covsim_run_for_the_same_inputs_and_seed() {
    let s = Server::start(&["--first-reps", "12", "--reps", "60"]);
    let events = s.events("same");
    let (status, run) = s.change(
        "same",
        json!({"company.pcs": "80", "setups[0].admins": "2", "people[1].it_share": "0.5"}),
    );
    assert_eq!(status, 202, "{run}");
    let run = run["run"].as_u64().unwrap();
    let first = answer(&events, run, 12);
    let last = answer(&events, run, 60);
    assert_eq!(last["last"], true);
    let (status, toml) = s.get("api/download/scenario.toml?page=same");
    assert_eq!(status, 200);
    let toml = String::from_utf8(toml).unwrap();
    assert!(
        toml.contains("# covsim serve: company.pcs was 50") && toml.contains("pcs = 80"),
        "the change is made in place, with its old value: {toml}"
    );
    assert!(toml.contains("§2"), "the file's comments are kept");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("changed.toml");
    std::fs::write(&file, &toml).unwrap();
    for (answer, reps) in [(&first, "12"), (&last, "60")] {
        let out = covsim()
            .arg("run")
            .arg(&file)
            .args(["--reps", reps, "--quiet", "--out"])
            .arg(dir.path().join(format!("run{reps}")))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let printed = String::from_utf8(out.stdout).unwrap();
        let table = answer["table_text"].as_str().unwrap();
        assert!(
            printed.starts_with(table),
            "page:\n{table}\ncovsim run:\n{printed}"
        );
    }
    // The whole run folder, too: daily, times and episodes are sums over replications.
    let (status, zip) = s.get("api/download/run.zip?page=same");
    assert_eq!(status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let names: Vec<String> = zip
        .file_names()
        .map(|n| n.expect("a file name").into_owned())
        .collect();
    for csv in [
        "summary.csv",
        "comparison.csv",
        "exceedance.csv",
        "daily.csv",
        "times.csv",
        "episodes.csv",
        "replications.csv",
    ] {
        let name = names
            .iter()
            .find(|n| n.ends_with(&format!("/{csv}")))
            .unwrap_or_else(|| panic!("no {csv} in {names:?}"));
        let mut bytes = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut bytes).unwrap();
        let cli = std::fs::read(dir.path().join("run60").join(csv)).unwrap();
        assert!(bytes == cli, "{csv} differs from covsim run's");
    }
    // The unzipped folder is a run folder that `covsim report` accepts (checksums included).
    let unzipped = dir.path().join("unzipped");
    zip.extract(&unzipped).unwrap();
    let folder = std::fs::read_dir(&unzipped)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let out = covsim().arg("report").arg(&folder).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (status, report) = s.get("api/download/report.html?page=same");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&report).contains("<svg"));
}

#[test]
fn serve_compares_every_number_with_the_start() {
    let s = Server::start(&["--first-reps", "30", "--reps", "30"]);
    let events = s.events("cmp");
    let (_, run) = s.change("cmp", json!({}));
    let start = answer(&events, run["run"].as_u64().unwrap(), 30);
    assert_eq!(start["changed"], false);
    let (_, run) = s.change("cmp", json!({"costs.downtime_eur_per_user_hour": "80"}));
    let a = answer(&events, run["run"].as_u64().unwrap(), 30);
    assert_eq!(a["changed"], true);
    let row = |a: &Value, metric: &str| -> Vec<Value> {
        a["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["metric"] == metric)
            .unwrap()["cells"]
            .as_array()
            .unwrap()
            .clone()
    };
    // Same incidents (common random numbers): the user-hours do not move at all…
    for c in row(&a, "user_hours_lost") {
        assert_eq!(c["delta"], "0 ±0", "{c}");
        assert_eq!(c["significant"], false);
    }
    // …and downtime cost doubles exactly: the change is the start's downtime cost.
    for (c, b) in row(&a, "cost_downtime_eur")
        .iter()
        .zip(row(&start, "cost_downtime_eur"))
    {
        let mean = |s: &str| s.split(" ±").next().unwrap().parse::<f64>().unwrap();
        let before = mean(b["mean"].as_str().unwrap());
        let delta = mean(c["delta"].as_str().unwrap().trim_start_matches('+'));
        assert!((delta - before).abs() <= 1.0, "{c} against {b}");
        assert_eq!(c["significant"], true, "{c}");
        assert_eq!(c["better"], false, "more cost is worse: {c}");
    }
}

#[test]
fn serve_shows_the_command_lines_message_for_an_invalid_value() {
    let s = Server::start(&["--first-reps", "10", "--reps", "10"]);
    let (status, body) = s.change(
        "bad",
        json!({"company.pcs": "-3", "msp.silver.coverage": "9x9"}),
    );
    assert_eq!(status, 422, "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{body}");
    assert_eq!(errors[0]["control"], "company.pcs");
    let message = errors[0]["message"].as_str().unwrap();
    assert_eq!(message, "company.pcs: must be between 1 and 100000, got -3");
    assert_eq!(errors[1]["control"], "msp.silver.coverage");
    // The same words as `--set` on the command line.
    let out = covsim()
        .args(["sweep", SCENARIO, "--set", "company.pcs=-3", "--reps", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(message));
    // A value the control itself refuses, and one that is not a number.
    let (status, body) = s.change("bad", json!({"setups[0].admins": "7"}));
    assert_eq!(status, 422);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("between 1 and 2 (the scenario's admins: anna, ben)"),
        "{body}"
    );
    let (status, body) = s.change("bad", json!({"volume": "lots"}));
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["control"], "volume");
    // Nothing ran for any of them.
    assert_eq!(s.get_json("api/status").1["started_runs"], 0);
}

#[test]
fn serve_cancels_the_running_simulation_when_a_newer_change_comes() {
    // The last stage is long (20,000 replications): it is still running when B arrives.
    let s = Server::start(&["--first-reps", "20", "--reps", "20000"]);
    let events = s.events("c");
    let (_, a) = s.change("c", json!({"company.pcs": "60"}));
    let a = a["run"].as_u64().unwrap();
    answer(&events, a, 20);
    let (_, b) = s.change("c", json!({"company.pcs": "70"}));
    let b = b["run"].as_u64().unwrap();
    assert_eq!(b, a + 1);
    let got = answer(&events, b, 20);
    assert!(
        got["table_text"]
            .as_str()
            .unwrap()
            .contains("20 replications")
    );
    // A stops: it is counted as cancelled and never answers again.
    let end = Instant::now() + WAIT;
    loop {
        let st = s.get_json("api/status").1;
        if st["cancelled_runs"] == 1 {
            assert_eq!(st["active_runs"], 1, "only B runs: {st}");
            break;
        }
        assert!(Instant::now() < end, "A was not cancelled: {st}");
        std::thread::sleep(Duration::from_millis(50));
    }
    while let Ok(e) = events.recv_timeout(Duration::from_millis(500)) {
        assert!(
            e.data["run"] != a || e.event != "answer",
            "the cancelled run answered: {:?}",
            e.data["replications"]
        );
    }
}

#[test]
fn serve_keeps_concurrent_pages_apart() {
    let s = Server::start(&["--first-reps", "15", "--reps", "15"]);
    let pages = ["one", "two", "three"];
    let rx: Vec<_> = pages.iter().map(|p| s.events(p)).collect();
    std::thread::scope(|scope| {
        for (i, p) in pages.iter().enumerate() {
            let s = &s;
            scope.spawn(move || {
                let (status, _) = s.change(p, json!({"company.pcs": (40 + 10 * i).to_string()}));
                assert_eq!(status, 202);
            });
        }
    });
    let answers: Vec<Value> = rx.iter().map(|r| answer(r, 1, 15)).collect();
    let texts: Vec<&str> = answers
        .iter()
        .map(|a| a["table_text"].as_str().unwrap())
        .collect();
    assert!(
        texts[0] != texts[1] && texts[1] != texts[2],
        "each page its own answer"
    );
    let st = s.get_json("api/status").1;
    assert_eq!(
        st["cancelled_runs"], 0,
        "pages do not cancel each other: {st}"
    );
    assert_eq!(st["pages"], 3);
}

#[test]
fn serve_answers_bad_requests_with_a_4xx_and_a_message() {
    let s = Server::start(&["--first-reps", "10", "--reps", "10"]);
    let cases: [(&str, &[u8], u16, &str); 6] = [
        ("api/run", b"{not json", 400, "not valid JSON"),
        ("api/run", br#"{"page": "a/b"}"#, 400, "page id"),
        (
            "api/run",
            br#"{"page": "p", "values": {"x": "1"}}"#,
            422,
            "no control 'x'",
        ),
        (
            "api/run",
            br#"{"page": "p", "values": {"company.pcs": [1]}}"#,
            400,
            "must be a text",
        ),
        (
            "api/run",
            br#"{"page": "p", "lang": "fr"}"#,
            400,
            "unknown language",
        ),
        ("api/nothing", b"{}", 404, "no such page"),
    ];
    for (path, body, code, words) in cases {
        let (status, answer) = s.post_raw(path, body);
        assert_eq!(
            status,
            code,
            "{path} {}: {answer}",
            String::from_utf8_lossy(body)
        );
        assert!(answer.to_string().contains(words), "{answer}");
    }
    let big = format!(
        r#"{{"page": "p", "values": {{"company.pcs": "{}"}}}}"#,
        "1".repeat(100_000)
    );
    assert_eq!(s.post_raw("api/run", big.as_bytes()).0, 413);
    assert_eq!(s.get("api/events").0, 400, "events need a page");
    assert_eq!(s.get("api/download/scenario.toml?page=nobody").0, 409);
    assert_eq!(s.get("api/download/secret.txt?page=p").0, 404);
    assert_eq!(s.get("?lang=fr").0, 400);
    // And the server still works.
    assert_eq!(s.get_json("api/status").0, 200);
}

#[test]
fn serve_refuses_a_bad_scenario_or_port_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[company]\npcs = -1\n").unwrap();
    let out = covsim().arg("serve").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("company.pcs"));
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = covsim()
        .args(["serve", SCENARIO, "--port", &port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot listen on") && err.contains("--port"),
        "{err}"
    );
}

#[test]
fn serve_warns_when_others_on_the_network_can_reach_it() {
    let mut child = covsim()
        .args(["serve", SCENARIO, "--port", "0", "--host", "0.0.0.0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let _ = child.wait();
    assert!(err.contains("anyone who can reach this machine"), "{err}");
    assert!(line.contains("http://0.0.0.0:"), "{line}");
}
