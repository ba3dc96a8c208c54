//! `covsim serve`: a local web page that answers "what if …?" live, from the same engine, the
//! same `--set` validation and the same charts as `covsim run`.
//!
//! The page (`page.html`, `page.js`, `page.css`, compiled in; no network) shows the headline
//! table, the change of every number against the scenario as loaded, and the presentation
//! charts as SVG. Its controls are generated from the scenario ([`controls`]). A change is
//! posted to `POST /api/run`; the server cancels the page's running simulation and starts a new
//! one that answers in stages (e.g. 200, 1,000, 5,000 replications), streamed to the page over
//! server-sent events (`GET /api/events`). See [`runs`] for why every stage's numbers are those
//! of `covsim run --reps N`.
//!
//! HTTP API (JSON unless said otherwise):
//!
//! | request | answer |
//! |---|---|
//! | `GET /api/scenario` | name, setups, controls, stages |
//! | `POST /api/run` `{"page": ID, "values": {control: text}, "lang": "en"\|"de"}` | 202 `{"run": n}`; 422 `{"errors": [{"control", "message"}]}` |
//! | `GET /api/events?page=ID` | event stream: `progress` (small, often), `answer` (table and charts, per stage) |
//! | `GET /api/download/scenario.toml?page=ID` | the changed scenario, changes commented |
//! | `GET /api/download/run.zip?page=ID` | the run folder of the current answer |
//! | `GET /api/download/report.html?page=ID` | its report |
//! | `GET /api/status` | runs active, started, cancelled |
//!
//! Safety: request bodies are limited to [`MAX_BODY`], replications to the stages fixed at
//! start, pages to [`MAX_PAGES`] (the least recently used is dropped, its run cancelled); the
//! server reads no file (the scenario was read before it starts). Every malformed request gets
//! a 4xx with a message.

pub mod answer;
pub mod controls;
mod download;
pub mod runs;

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::stream::{self, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::model::Model;
use crate::montecarlo::{Experiment, Hooks, RunError};
use crate::report::i18n::Lang;
use crate::scenario::{self, Override, ScenarioErrors};
use controls::{Control, ControlError};

/// Largest request body: 64 KiB, far more than every control's value.
pub const MAX_BODY: usize = 64 * 1024;
/// Pages (browser tabs) kept at once.
pub const MAX_PAGES: usize = 64;
/// Largest number of replications of the last stage.
pub const MAX_REPS: u64 = 100_000;

/// What the server serves.
#[derive(Clone, Debug)]
pub struct Config {
    /// The scenario file as given (used in messages and in the run folder).
    pub file: String,
    /// Its text.
    pub text: String,
    /// Default language of the page.
    pub lang: Lang,
    /// Replications of the first answer.
    pub first_reps: u64,
    /// Replications of the last answer.
    pub max_reps: u64,
    /// Worker threads of each simulation (`None`: one per core).
    pub threads: Option<usize>,
}

/// The server's state.
pub struct App {
    cfg: Config,
    model: Arc<Model>,
    controls: Vec<Control>,
    warnings: Vec<String>,
    stages: Vec<u64>,
    start: runs::Start,
    pages: Mutex<HashMap<String, Page>>,
    active: AtomicU64,
    started: AtomicU64,
    cancelled: AtomicU64,
}

/// What a page has on screen: the inputs and results of its latest answer.
struct Current {
    overrides: Vec<Override>,
    /// The scenario's text with the changes.
    text: String,
    model: Arc<Model>,
    exp: Arc<Experiment>,
    lang: Lang,
}

struct Page {
    seq: u64,
    cancel: Arc<AtomicBool>,
    tx: Arc<watch::Sender<Arc<Snapshot>>>,
    current: Option<Arc<Current>>,
    touched: Instant,
}

/// The state of a page's latest run, as streamed.
#[derive(Clone, Debug, Default, Serialize)]
struct Snapshot {
    run: u64,
    /// `idle`, `running`, `done` or `failed`.
    state: &'static str,
    done: u64,
    target: u64,
    message: Option<String>,
    #[serde(skip)]
    answer: Option<Arc<String>>,
}

impl App {
    /// Validates the scenario and prepares the server (no simulation yet).
    pub fn new(cfg: Config) -> Result<App, ScenarioErrors> {
        let model = scenario::from_str(&cfg.text, &cfg.file)?;
        let warnings = scenario::msp_load::warnings(&model)
            .iter()
            .map(ToString::to_string)
            .collect();
        let controls = controls::controls(&cfg.text, &model);
        let stages = runs::stages(cfg.first_reps, cfg.max_reps.min(MAX_REPS));
        let model = Arc::new(model);
        let start = runs::Start::new(model.clone(), stages.clone(), cfg.threads);
        Ok(App {
            cfg,
            model,
            controls,
            warnings,
            stages,
            start,
            pages: Mutex::new(HashMap::new()),
            active: AtomicU64::new(0),
            started: AtomicU64::new(0),
            cancelled: AtomicU64::new(0),
        })
    }

    /// The generated controls.
    pub fn controls(&self) -> &[Control] {
        &self.controls
    }

    fn pages(&self) -> std::sync::MutexGuard<'_, HashMap<String, Page>> {
        // Nothing in the map is left half-changed by a panic: keep serving.
        self.pages.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The routes, for [`axum::serve`].
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page_html))
        .route("/page.js", get(page_js))
        .route("/page.css", get(page_css))
        .route("/api/scenario", get(scenario_info))
        .route("/api/run", post(start_run))
        .route("/api/events", get(events))
        .route("/api/status", get(status))
        .route("/api/download/{file}", get(download::download))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(app)
}

/// Serves `app` on `listener` until the process ends.
pub async fn serve(app: Arc<App>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(app)).await
}

/// A 4xx (or 5xx) answer with a message, as JSON `{"error": …}`.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    #[derive(Serialize)]
    struct E {
        error: String,
    }
    (
        status,
        Json(E {
            error: message.into(),
        }),
    )
        .into_response()
}

async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no such page; open / for the what-if page",
    )
}

const PAGE_HTML: &str = include_str!("page.html");
const PAGE_JS: &str = include_str!("page.js");
const PAGE_CSS: &str = include_str!("page.css");

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

async fn page_html(State(app): State<Arc<App>>, Query(q): Query<LangQuery>) -> Response {
    let lang = match q.lang.as_deref().map(str::parse::<Lang>) {
        None => app.cfg.lang,
        Some(Ok(l)) => l,
        Some(Err(e)) => return error(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let html = PAGE_HTML
        .replace("{{lang}}", lang.code())
        .replace("{{title}}", &html_escape(&app.model.name));
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

async fn page_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        PAGE_JS,
    )
        .into_response()
}

async fn page_css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        PAGE_CSS,
    )
        .into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn scenario_info(State(app): State<Arc<App>>) -> Response {
    Json(serde_json::json!({
        "name": app.model.name,
        "file": app.cfg.file,
        "seed": app.model.sim.seed,
        "lang": app.cfg.lang.code(),
        "setups": app.model.setups.iter().map(|s| &s.name).collect::<Vec<_>>(),
        "baseline": app.model.report.baseline,
        "stages": app.stages,
        "warnings": app.warnings,
        "controls": app.controls,
    }))
    .into_response()
}

async fn status(State(app): State<Arc<App>>) -> Response {
    Json(serde_json::json!({
        "active_runs": app.active.load(Ordering::SeqCst),
        "started_runs": app.started.load(Ordering::SeqCst),
        "cancelled_runs": app.cancelled.load(Ordering::SeqCst),
        "pages": app.pages().len(),
    }))
    .into_response()
}

/// Checks a page id: 1–64 letters, digits, `-` or `_` (it is chosen by the page).
fn page_id(id: &str) -> Result<(), Response> {
    if id.is_empty()
        || id.len() > 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(error(
            StatusCode::BAD_REQUEST,
            format!(
                "page id {id:?} is not 1-64 letters, digits, '-' or '_' (the page makes one up)"
            ),
        ));
    }
    Ok(())
}

impl App {
    /// The page `id`, created if new; the least recently used page is dropped beyond
    /// [`MAX_PAGES`].
    fn touch<'a>(pages: &'a mut HashMap<String, Page>, id: &str) -> &'a mut Page {
        if !pages.contains_key(id) && pages.len() >= MAX_PAGES {
            let oldest = pages
                .iter()
                .min_by_key(|(_, p)| p.touched)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest
                && let Some(p) = pages.remove(&k)
            {
                p.cancel.store(true, Ordering::SeqCst);
            }
        }
        let page = pages.entry(id.to_string()).or_insert_with(|| Page {
            seq: 0,
            cancel: Arc::new(AtomicBool::new(false)),
            tx: Arc::new(watch::Sender::new(Arc::new(Snapshot {
                state: "idle",
                ..Snapshot::default()
            }))),
            current: None,
            touched: Instant::now(),
        });
        page.touched = Instant::now();
        page
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    page: String,
    #[serde(default)]
    values: serde_json::Map<String, serde_json::Value>,
    lang: Option<String>,
}

async fn start_run(State(app): State<Arc<App>>, body: axum::body::Bytes) -> Response {
    let req: RunRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!(
                    "the request is not valid JSON of the form {{\"page\": \"id\", \"values\": \
                     {{\"company.pcs\": \"80\"}}, \"lang\": \"en\"}}: {e}"
                ),
            );
        }
    };
    if let Err(r) = page_id(&req.page) {
        return r;
    }
    let lang = match req.lang.as_deref().map(str::parse::<Lang>) {
        None => app.cfg.lang,
        Some(Ok(l)) => l,
        Some(Err(e)) => return error(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let mut values = Vec::new();
    for (k, v) in req.values {
        let text = match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            other => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("the value of {k:?} must be a text, number or true/false, got {other}"),
                );
            }
        };
        if text.len() > 1000 {
            return error(
                StatusCode::BAD_REQUEST,
                format!("the value of {k:?} is longer than 1000 characters"),
            );
        }
        values.push((k, text));
    }
    let overrides = match controls::to_overrides(&app.controls, &values) {
        Ok(o) => o,
        Err(errors) => return invalid(errors),
    };
    // Validation builds calendars and distributions: off the async threads. The messages are
    // those of `--set`; what is simulated is the scenario as downloaded (the file edited in
    // place), so that `covsim run` of the download gives the page's numbers byte for byte
    // (`--set` rewrites the file, which can reorder tables such as the thresholds).
    let checked = {
        let app = app.clone();
        let overrides = overrides.clone();
        tokio::task::spawn_blocking(move || {
            scenario::from_str_with(&app.cfg.text, &app.cfg.file, &overrides)?;
            let text = download::changed_text(&app.cfg, &app.model.name, &overrides);
            let model = scenario::from_str(&text, &app.cfg.file)?;
            Ok::<_, ScenarioErrors>((text, model))
        })
        .await
    };
    let (text, model) = match checked {
        Ok(Ok((t, m))) => (t, Arc::new(m)),
        Ok(Err(e)) => return invalid(controls::assign(&app.controls, &e)),
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let (run, cancel) = {
        let mut pages = app.pages();
        let page = App::touch(&mut pages, &req.page);
        page.cancel.store(true, Ordering::SeqCst);
        page.cancel = Arc::new(AtomicBool::new(false));
        page.seq += 1;
        let previous = page.tx.borrow().answer.clone();
        page.tx.send_replace(Arc::new(Snapshot {
            run: page.seq,
            state: "running",
            done: 0,
            target: app.stages[0],
            message: None,
            answer: previous,
        }));
        (page.seq, page.cancel.clone())
    };
    app.started.fetch_add(1, Ordering::SeqCst);
    app.active.fetch_add(1, Ordering::SeqCst);
    let job = Job {
        app: app.clone(),
        page: req.page,
        run,
        cancel,
        model,
        text,
        overrides,
        lang,
    };
    tokio::task::spawn_blocking(move || job.run());
    (
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "run": run, "stages": app.stages })),
    )
        .into_response()
}

fn invalid(errors: Vec<ControlError>) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(serde_json::json!({ "errors": errors })),
    )
        .into_response()
}

/// One run of a page, on a blocking thread.
struct Job {
    app: Arc<App>,
    page: String,
    run: u64,
    cancel: Arc<AtomicBool>,
    model: Arc<Model>,
    /// The scenario's text with the changes (what `model` was read from).
    text: String,
    overrides: Vec<Override>,
    lang: Lang,
}

impl Job {
    fn run(self) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.stages()));
        let (state, message) = match outcome {
            Ok(Ok(())) => ("done", None),
            Ok(Err(JobError::Run(RunError::Interrupted(_)))) => {
                self.app.cancelled.fetch_add(1, Ordering::SeqCst);
                ("cancelled", None)
            }
            Ok(Err(e)) => ("failed", Some(e.to_string())),
            Err(_) => (
                "failed",
                Some("the simulation failed unexpectedly; change a value to try again".into()),
            ),
        };
        if state != "cancelled" {
            self.publish(|s| Snapshot {
                state,
                message: message.clone(),
                ..s.clone()
            });
        }
        self.app.active.fetch_sub(1, Ordering::SeqCst);
    }

    /// Replaces the page's snapshot, unless a newer run took the page over.
    fn publish(&self, f: impl FnOnce(&Snapshot) -> Snapshot) -> bool {
        let pages = self.app.pages();
        match pages.get(&self.page) {
            Some(p) if p.seq == self.run && !self.cancel.load(Ordering::SeqCst) => {
                let next = f(&p.tx.borrow());
                p.tx.send_replace(Arc::new(next));
                true
            }
            _ => false,
        }
    }

    fn stages(&self) -> Result<(), JobError> {
        let app = &self.app;
        let mut exp: Option<Arc<Experiment>> = None;
        let last = app.stages.len() - 1;
        let tx = app.pages().get(&self.page).map(|p| p.tx.clone());
        // Progress is sent every 25 replications: often enough for a smooth bar, rarely
        // enough not to matter.
        let progress = |done: u64, target: u64| {
            if done.is_multiple_of(25)
                && !self.cancel.load(Ordering::Relaxed)
                && let Some(tx) = &tx
            {
                tx.send_modify(|s| {
                    if s.run == self.run {
                        let mut n = (**s).clone();
                        n.done = done;
                        n.target = target;
                        *s = Arc::new(n);
                    }
                });
            }
        };
        for (k, &target) in app.stages.iter().enumerate() {
            let start = app.start.at(k, &self.cancel, &progress)?;
            let cur = if self.overrides.is_empty() {
                start.clone()
            } else {
                let have = exp.as_ref().map_or(0, |e| e.count);
                let hooks = Hooks {
                    cancel: &self.cancel,
                    progress: &|d| progress(have + d, target),
                };
                Arc::new(runs::extend(
                    &self.model,
                    exp.as_deref(),
                    target,
                    app.cfg.threads,
                    &hooks,
                )?)
            };
            if runs::cancelled(&self.cancel) {
                return Err(interrupted(cur.count, target));
            }
            let cx = answer::Context {
                run: self.run,
                last: k == last,
                file: &app.cfg.file,
                text: &self.text,
                changed: !self.overrides.is_empty(),
                lang: self.lang,
            };
            let json = answer::build(&self.model, &cur, &start, &cx).map_err(JobError::Chart)?;
            let current = Arc::new(Current {
                overrides: self.overrides.clone(),
                text: self.text.clone(),
                model: self.model.clone(),
                exp: cur.clone(),
                lang: self.lang,
            });
            let json = Arc::new(json);
            let shown = self.publish(|s| Snapshot {
                done: target,
                target: app.stages.get(k + 1).copied().unwrap_or(target),
                answer: Some(json.clone()),
                ..s.clone()
            });
            if !shown {
                return Err(interrupted(cur.count, target));
            }
            if let Some(p) = app.pages().get_mut(&self.page)
                && p.seq == self.run
            {
                p.current = Some(current);
            }
            exp = Some(cur);
        }
        Ok(())
    }
}

/// Why a run gave no (further) answer.
#[derive(Debug, thiserror::Error)]
enum JobError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Chart(crate::report::charts::ChartError),
}

fn interrupted(done: u64, total: u64) -> JobError {
    JobError::Run(RunError::Interrupted(crate::montecarlo::Interrupted {
        done,
        total,
    }))
}

#[derive(Deserialize)]
struct PageQuery {
    page: String,
}

async fn events(State(app): State<Arc<App>>, Query(q): Query<PageQuery>) -> Response {
    if let Err(r) = page_id(&q.page) {
        return r;
    }
    let rx = {
        let mut pages = app.pages();
        App::touch(&mut pages, &q.page).tx.subscribe()
    };
    Sse::new(snapshots(rx))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The events of a page: the current state at once, then every change; an answer is sent only
/// when it is new (progress changes often, answers are large).
fn snapshots(rx: watch::Receiver<Arc<Snapshot>>) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(
        (rx, None::<Arc<String>>, true),
        |(mut rx, sent, first)| async move {
            if !first && rx.changed().await.is_err() {
                return None;
            }
            let snap = rx.borrow_and_update().clone();
            let mut out = Vec::new();
            let json = serde_json::to_string(&*snap).expect("snapshots serialise");
            out.push(Ok(Event::default().event("progress").data(json)));
            let mut sent = sent;
            if let Some(a) = &snap.answer
                && !sent.as_ref().is_some_and(|s| Arc::ptr_eq(s, a))
            {
                out.push(Ok(Event::default().event("answer").data(a.as_str())));
                sent = Some(a.clone());
            }
            Some((stream::iter(out), (rx, sent, false)))
        },
    )
    .flatten()
}
