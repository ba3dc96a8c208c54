// covsim serve: the live what-if page. Controls come from /api/scenario; a change posts all
// changed values to /api/run; answers arrive as server-sent events on /api/events.
"use strict";

const T = {
  en: {
    dl_toml: "Scenario (TOML)", dl_zip: "Run folder (zip)", dl_report: "Report",
    reset: "Back to the start", terminal: "As the terminal prints it",
    setup: "", bad: "bad year", vs: "vs start",
    running: (d, t) => `simulating… ${d} of ${t} replications`,
    refining: (n, t) => `${n} replications; refining to ${t}…`,
    done: (n) => `${n} replications — final`,
    cancelled: "superseded by a newer change", failed: "failed",
    meta: (n, seed, changed) => `${n} replications, seed ${seed}; mean ± half-width of the 95 % CI; ` +
      (changed ? "below each number its change against the scenario as loaded (paired, 95 % CI; green better, red worse where the CI excludes 0)"
               : "the scenario as loaded: change any input on the left"),
    was: (v) => `scenario: ${v}`, yes: "yes", no: "no",
    lost: "connection to covsim lost; is it still running?",
  },
  de: {
    dl_toml: "Szenario (TOML)", dl_zip: "Laufordner (zip)", dl_report: "Bericht",
    reset: "Zurück zum Ausgangsszenario", terminal: "Wie im Terminal",
    setup: "", bad: "schlechtes Jahr", vs: "ggü. Start",
    running: (d, t) => `simuliere… ${d} von ${t} Replikationen`,
    refining: (n, t) => `${n} Replikationen; verfeinere auf ${t}…`,
    done: (n) => `${n} Replikationen — endgültig`,
    cancelled: "durch neuere Änderung ersetzt", failed: "fehlgeschlagen",
    meta: (n, seed, changed) => `${n} Replikationen, Seed ${seed}; Mittelwert ± halbe Breite des 95-%-KI; ` +
      (changed ? "unter jeder Zahl die Änderung gegenüber dem geladenen Szenario (gepaart, 95-%-KI; grün besser, rot schlechter, wo das KI 0 ausschließt)"
               : "das Szenario wie geladen: ändern Sie links eine Eingabe"),
    was: (v) => `Szenario: ${v}`, yes: "ja", no: "nein",
    lost: "Verbindung zu covsim verloren; läuft es noch?",
  },
};

const page = "p" + Math.random().toString(36).slice(2) + Date.now().toString(36);
let lang = document.documentElement.lang === "de" ? "de" : "en";
let info = null;          // /api/scenario
let latestRun = 0;        // the run this page asked for last
let shownRun = 0;         // the run whose answer is on screen
let timer = null;

const $ = (id) => document.getElementById(id);
const t = () => T[lang];

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function groupLabel(g) {
  if (lang !== "de") return g;
  return g.replace(/^Company$/, "Unternehmen").replace(/^People$/, "Personen").replace(/^Profile /, "Profil ")
    .replace(/^Emergency help /, "Notfallhilfe ");
}

function buildControls() {
  const aside = $("controls");
  aside.innerHTML = "";
  const groups = new Map();
  for (const c of info.controls) {
    if (!groups.has(c.group)) {
      const fs = document.createElement("fieldset");
      const lg = document.createElement("legend");
      lg.textContent = groupLabel(c.group);
      fs.appendChild(lg);
      aside.appendChild(fs);
      groups.set(c.group, fs);
    }
    const row = document.createElement("div");
    row.className = "control";
    row.dataset.control = c.id;
    const id = "c-" + c.id.replace(/[^A-Za-z0-9_-]/g, "_");
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = lang === "de" ? c.label_de : c.label_en;
    label.title = c.paths.join(", ");
    let input;
    const k = c.kind;
    if (k.type === "choice") {
      input = document.createElement("select");
      for (const o of k.options) {
        const op = document.createElement("option");
        op.value = o; op.textContent = o;
        input.appendChild(op);
      }
    } else if (k.type === "bool") {
      input = document.createElement("input");
      input.type = "checkbox";
    } else {
      input = document.createElement("input");
      input.type = "text";
      input.inputMode = "decimal";
    }
    input.id = id;
    input.name = c.id;
    setValue(input, c, c.value);
    input.addEventListener("change", changed);
    if (input.type === "text") input.addEventListener("keydown", (e) => { if (e.key === "Enter") changed(); });
    row.appendChild(label);
    row.appendChild(input);
    groups.get(c.group).appendChild(row);
  }
}

function setValue(input, c, v) {
  if (c.kind.type === "bool") input.checked = v === "true"; else input.value = v;
}

function getValue(input, c) {
  return c.kind.type === "bool" ? String(input.checked) : input.value.trim();
}

function values() {
  const out = {};
  for (const c of info.controls) {
    const row = document.querySelector(`[data-control="${CSS.escape(c.id)}"]`);
    const v = getValue(row.querySelector("input,select"), c);
    const isChanged = v !== c.value;
    row.classList.toggle("changed", isChanged);
    let was = row.querySelector(".was");
    if (isChanged && !was) {
      was = document.createElement("div");
      was.className = "was";
      row.appendChild(was);
    }
    if (was) {
      if (isChanged) {
        const shown = c.kind.type === "bool" ? (c.value === "true" ? t().yes : t().no) : c.value;
        was.textContent = t().was(shown);
      } else was.remove();
    }
    if (isChanged) out[c.id] = v;
  }
  return out;
}

function clearErrors() {
  $("errors").textContent = "";
  for (const e of document.querySelectorAll(".control .error")) e.remove();
  for (const r of document.querySelectorAll(".control.invalid")) r.classList.remove("invalid");
}

function showErrors(errors) {
  const general = [];
  for (const e of errors) {
    const row = e.control && document.querySelector(`[data-control="${CSS.escape(e.control)}"]`);
    if (row) {
      row.classList.add("invalid");
      const d = document.createElement("div");
      d.className = "error";
      d.textContent = e.message;
      row.appendChild(d);
    } else general.push(e.message);
  }
  $("errors").textContent = general.join("\n");
}

function changed() {
  clearTimeout(timer);
  // Typing several digits quickly starts one simulation, not one per key.
  timer = setTimeout(post, 120);
}

async function post() {
  const body = JSON.stringify({ page, values: values(), lang });
  let res;
  try {
    res = await fetch("/api/run", { method: "POST", headers: { "Content-Type": "application/json" }, body });
  } catch (e) {
    $("errors").textContent = t().lost;
    return;
  }
  const data = await res.json().catch(() => ({ error: res.statusText }));
  clearErrors();
  if (res.status === 202) {
    latestRun = data.run;
    document.body.classList.add("updating");
  } else if (data.errors) {
    showErrors(data.errors);
  } else {
    $("errors").textContent = data.error || res.statusText;
  }
}

function progress(p) {
  if (p.run < latestRun) return;
  const bar = $("bar");
  const status = $("status");
  const final = info.stages[info.stages.length - 1];
  if (p.state === "running") {
    bar.style.width = `${Math.min(100, (100 * p.done) / final)}%`;
    status.textContent = shownRun === p.run ? t().refining(p.done, p.target) : t().running(p.done, p.target);
  } else if (p.state === "done") {
    bar.style.width = "100%";
    status.textContent = t().done(final);
  } else if (p.state === "failed") {
    status.textContent = t().failed;
    $("errors").textContent = p.message || t().failed;
  }
}

function answer(a) {
  if (a.run < latestRun) return;
  shownRun = a.run;
  document.body.classList.remove("updating");
  $("meta").textContent = t().meta(a.replications, a.seed, a.changed);
  let h = "<thead><tr><th></th>";
  for (const s of a.setups) h += `<th>${esc(s)}</th>`;
  h += "</tr></thead><tbody>";
  for (const r of a.rows) {
    h += `<tr data-metric="${esc(r.metric)}"><td>${esc(r.label)}</td>`;
    for (const c of r.cells) {
      let cls = "delta";
      if (c.significant) cls += c.better ? " better" : " worse";
      const delta = a.changed ? `<span class="${cls}">Δ ${esc(c.delta)}</span>` : "";
      h += `<td><span class="mean">${esc(c.mean)}</span><span class="bad">${esc(t().bad)}: ${esc(c.bad)}</span>${delta}</td>`;
    }
    h += "</tr>";
  }
  $("table").innerHTML = h + "</tbody>";
  $("table-text").textContent = a.table_text;
  $("target").textContent = a.target_text;
  const charts = $("charts");
  charts.innerHTML = "";
  for (const c of a.charts) {
    const d = document.createElement("div");
    d.className = "chart";
    d.dataset.chart = c.name;
    // The SVG is drawn by covsim itself (plotters escapes its text).
    d.innerHTML = c.svg;
    charts.appendChild(d);
  }
  for (const [id, file] of [["dl-toml", "scenario.toml"], ["dl-zip", "run.zip"], ["dl-report", "report.html"]]) {
    const link = $(id);
    link.href = `/api/download/${file}?page=${page}`;
    link.classList.remove("disabled");
  }
}

function labels() {
  document.documentElement.lang = lang;
  $("lang").value = lang;
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t()[el.dataset.t];
}

async function main() {
  labels();
  for (const id of ["dl-toml", "dl-zip", "dl-report"]) $(id).classList.add("disabled");
  info = await (await fetch("/api/scenario")).json();
  buildControls();
  const es = new EventSource(`/api/events?page=${page}`);
  es.addEventListener("progress", (e) => progress(JSON.parse(e.data)));
  es.addEventListener("answer", (e) => answer(JSON.parse(e.data)));
  es.onerror = () => { if (es.readyState === EventSource.CLOSED) $("errors").textContent = t().lost; };
  $("lang").addEventListener("change", () => {
    const vals = values();
    lang = $("lang").value;
    labels();
    buildControls();
    for (const [id, v] of Object.entries(vals)) {
      const c = info.controls.find((x) => x.id === id);
      const row = document.querySelector(`[data-control="${CSS.escape(id)}"]`);
      setValue(row.querySelector("input,select"), c, v);
    }
    post();
  });
  $("reset").addEventListener("click", () => {
    buildControls();
    clearErrors();
    post();
  });
  post();
}

main();
