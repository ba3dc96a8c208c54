//! `covsim serve` in a real browser: headless Chromium driven through WebDriver (chromedriver,
//! started by the test on a free port). Opens the page, changes the number of admins, checks
//! that the numbers and a chart change, and that an invalid value shows its message next to
//! its control.
//!
//! Without Chromium the test is skipped with a message, except in CI (`CI` set), where a
//! missing browser fails it: `.ci/run` installs Debian's `chromium` and `chromium-driver`.
//! `COVSIM_SCREENSHOT=path.png` saves a screenshot of the changed page (docs/serve.png).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};

use super::serve::Server;

const WAIT: Duration = Duration::from_secs(240);

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn found(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

async fn text(c: &fantoccini::Client, css: &str) -> String {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn html(c: &fantoccini::Client, css: &str) -> String {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e.html(false).await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Polls until `f` holds, at most [`WAIT`].
async fn until<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let end = Instant::now() + WAIT;
    while !f().await {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_page_in_headless_chromium_answers_a_change_and_shows_an_invalid_value() {
    if !found("chromium") || !found("chromedriver") {
        if std::env::var_os("CI").is_some() {
            panic!(
                "CI is set but chromium or chromedriver is missing: install Debian's chromium \
                 and chromium-driver (.ci/run does)"
            );
        }
        println!(
            "SKIPPED serve_page_in_headless_chromium…: chromium and chromedriver are not \
             installed (apt-get install chromium chromium-driver)"
        );
        return;
    }
    let server = Server::start(&["--first-reps", "100", "--reps", "500"]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--window-size=1400,1900",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let end = Instant::now() + Duration::from_secs(30);
    let c = loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => break c,
            Err(e) if Instant::now() > end => panic!("cannot start a browser session: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    };
    c.goto(&server.url).await.unwrap();

    // The scenario as loaded, at its last stage.
    let cell = "#table tr[data-metric=\"user_hours_lost\"] td:nth-child(2) .mean";
    let last_stage = || async { text(&c, "#meta").await.starts_with("500 replications") };
    until("the start's numbers", last_stage).await;
    let before = text(&c, cell).await;
    let chart_before = html(&c, ".chart[data-chart=\"chart-downtime\"]").await;
    assert!(
        !before.is_empty() && chart_before.contains("<svg"),
        "{before}"
    );

    // Two admins instead of one for the first setup.
    let input = c
        .find(Locator::Css("[data-control=\"setups[0].admins\"] input"))
        .await
        .unwrap();
    input.clear().await.unwrap();
    input.send_keys("2\u{E007}").await.unwrap(); // U+E007: WebDriver's Enter key
    until("the changed numbers", || async {
        !text(&c, "#table .delta").await.is_empty() && last_stage().await
    })
    .await;
    let after = text(&c, cell).await;
    assert_ne!(after, before, "the numbers changed");
    let chart_after = html(&c, ".chart[data-chart=\"chart-downtime\"]").await;
    assert!(
        chart_after.contains("<svg") && chart_after != chart_before,
        "the chart changed"
    );
    let delta = text(
        &c,
        "#table tr[data-metric=\"user_hours_lost\"] td:nth-child(2) .delta",
    )
    .await;
    assert!(
        delta.starts_with("Δ −") || delta.starts_with("Δ -"),
        "fewer user-hours lost: {delta} ({before} → {after})"
    );
    if let Some(path) = std::env::var_os("COVSIM_SCREENSHOT") {
        std::fs::write(path, c.screenshot().await.unwrap()).unwrap();
    }

    // An invalid value: the command line's message next to its control.
    let pcs = c
        .find(Locator::Css("[data-control=\"company.pcs\"] input"))
        .await
        .unwrap();
    pcs.clear().await.unwrap();
    pcs.send_keys("-3\u{E007}").await.unwrap();
    until("the message of the invalid value", || async {
        text(&c, "[data-control=\"company.pcs\"] .error")
            .await
            .contains("company.pcs: must be between 1 and 100000, got -3")
    })
    .await;
    // The numbers on screen stay those of the last valid inputs.
    assert_eq!(text(&c, cell).await, after);
    c.close().await.unwrap();
}
