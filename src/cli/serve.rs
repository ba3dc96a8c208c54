//! `covsim serve`: starts the live what-if page (see `covsim::serve`).

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::{Failure, Language, print, start_threads, usage};
use covsim::scenario;
use covsim::serve::{App, Config, MAX_REPS};

/// Options of `covsim serve`.
#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on. Anything but 127.0.0.1 (or ::1) lets others on the network use
    /// the page.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Language of the page (default: the scenario's `report.lang`, else English).
    #[arg(long, value_enum)]
    lang: Option<Language>,
    /// Replications of the last, most precise answer.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=MAX_REPS))]
    reps: u64,
    /// Replications of the first answer (then five times as many per step, up to --reps).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=MAX_REPS))]
    first_reps: u64,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
}

pub(crate) fn run(a: ServeArgs) -> Result<(), Failure> {
    let text = scenario::read_text(&a.scenario).map_err(usage)?;
    let file = a.scenario.display().to_string();
    let model = scenario::from_str(&text, &file).map_err(usage)?;
    let lang = a.lang.unwrap_or(match model.report.lang.as_deref() {
        Some("de") => Language::De,
        _ => Language::En,
    });
    let threads = a.threads.map(|t| t as usize);
    start_threads(threads)?;
    let app = App::new(Config {
        file: file.clone(),
        text,
        lang: lang.into(),
        first_reps: a.first_reps.min(a.reps),
        max_reps: a.reps,
        threads,
    })
    .map_err(usage)?;
    for w in scenario::msp_load::warnings(&model) {
        eprintln!("warning: {file}: {w}");
    }
    if !a.host.is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone who can reach this machine on that network can \
             use the page and see the scenario; use the default --host 127.0.0.1 to keep it \
             on this computer",
            a.host
        );
    }
    // Two threads answer requests; simulations run on their own worker threads.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::from(anyhow::anyhow!("cannot start the web server: {e}")))?;
    rt.block_on(async move {
        let addr = SocketAddr::new(a.host, a.port);
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            usage(anyhow::anyhow!(
                "cannot listen on {addr}: {e}; choose another --port (or --port 0 for any free one)"
            ))
        })?;
        let local = listener
            .local_addr()
            .map_err(|e| Failure::from(anyhow::anyhow!("cannot listen on {addr}: {e}")))?;
        let shown = match local.ip() {
            IpAddr::V6(ip) => format!("[{ip}]:{}", local.port()),
            IpAddr::V4(ip) => format!("{ip}:{}", local.port()),
        };
        print(&format!(
            "covsim serve: {} — open http://{shown}/ in a browser (Ctrl-C stops)\n",
            model.name
        ))?;
        let _ = std::io::stdout().flush();
        covsim::serve::serve(Arc::new(app), listener)
            .await
            .map_err(|e| Failure::from(anyhow::anyhow!("the web server stopped: {e}")))
    })
}
