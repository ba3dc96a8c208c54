#!/usr/bin/env python3
"""Writes the study's tables from the run folders' CSV files and puts them into the write-ups.

Usage: tables.py RESULTS RUN_REPS SWEEP_REPS (called by study/run.sh). Every number of a table
is read from a CSV file that covsim wrote in RESULTS/runs; nothing is typed in by hand. Each
table is written to RESULTS/tables/NAME.LANG.md and replaces the block between
`<!-- BEGIN NAME -->` and `<!-- END NAME -->` in study/README.md (en) and study/README.de.md
(de). The CSV files the tables cite are copied to RESULTS/data, the charts the write-ups show
to RESULTS/charts/LANG. A block without its table, or a table without its block, is an error.
"""
import csv
import math
import os
import re
import shutil
import sys

R, RUN_REPS, SWEEP_REPS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
RUNS = os.path.join(R, "runs")
TABLES = {}  # name -> {lang: markdown}


def read(path):
    with open(os.path.join(RUNS, path), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def num(s):
    return float(s) if s not in ("", None) else math.nan


def fmt(x, dec, lang):
    """A number as the language writes it: 1,234.5 (en) or 1.234,5 (de); '–' for no value."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    s = f"{x:,.{dec}f}"
    if lang == "de":
        s = s.replace(",", "_").replace(".", ",").replace("_", ".")
    return s


def pm(row, dec, lang, scale=1.0, pct=False):
    """Mean ± half-width of its 95 % CI, from a summary or sweep row."""
    m, lo, hi = num(row["mean"]) * scale, num(row["mean_ci_lo"]) * scale, num(row["mean_ci_hi"]) * scale
    half = (hi - lo) / 2
    unit = " %" if pct and lang == "de" else ("%" if pct else "")
    return f"{fmt(m, dec, lang)}{unit} ± {fmt(half, dec, lang)}"


def p95(row, dec, lang):
    """P95 across years with its distribution-free 95 % CI."""
    lo, hi = num(row["p95_ci_lo"]), num(row["p95_ci_hi"])
    ci = f" ({fmt(lo, dec, lang)}–{fmt(hi, dec, lang)})" if not (math.isnan(lo) or math.isnan(hi)) else ""
    return f"{fmt(num(row['p95']), dec, lang)}{ci}"


def verdict(lo, hi, bound, lang):
    """Meets an upper bound for sure (✓), misses it for sure (✗), or the CI straddles it (≈)."""
    if hi <= bound:
        return "✓"
    if lo > bound:
        return "✗"
    return "≈"


def table(name, header, rows):
    return "| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n" + "".join(
        "| " + " | ".join(r) + " |\n" for r in rows
    )


def put(name, en, de):
    TABLES[name] = {"en": en, "de": de}


def summary(run):
    return {(r["setup"], r["metric"]): r for r in read(f"{run}/summary.csv")}


def sweep(run):
    rows = read(f"{run}/sweep.csv")
    keys = list(rows[0].keys())
    paths = keys[: keys.index("setup")]
    return paths, rows


L = {
    "setup": ("Setup", "Aufstellung"),
    "cov": ("Coverage of business hours", "Abdeckung der Geschäftszeit"),
    "unc": ("Nobody qualified (bh/yr)", "Niemand Qualifiziertes da (GStd/Jahr)"),
    "gap": ("Longest gap (days)", "Längste Lücke (Tage)"),
    "gap95": ("Longest gap, bad year (days)", "Längste Lücke, schlechtes Jahr (Tage)"),
    "uhl": ("User-hours lost / yr", "Verlorene Arbeitsstunden / Jahr"),
    "uhl95": ("User-hours lost, bad year (P95)", "Verlorene Arbeitsstunden, schlechtes Jahr (P95)"),
    "emc": ("Emergency calls / yr", "Notfalleinsätze / Jahr"),
    "cost": ("Total cost / yr (€)", "Gesamtkosten / Jahr (€)"),
    "itcost": ("IT cost / yr (€)", "IT-Kosten / Jahr (€)"),
}


def h(key, lang):
    return L[key][0 if lang == "en" else 1]


SETUP_DE = {
    "Single admin": "Ein Admin",
    "Two admins": "Zwei Admins",
    "MSP": "MSP",
    "Hybrid": "Hybrid",
    "Admin + backup": "Admin + Backup",
    "1 admin": "1 Admin",
    "2 admins": "2 Admins",
    "3 admins": "3 Admins",
}


def sname(s, lang):
    return s if lang == "en" else SETUP_DE.get(s, s)


# ---------------------------------------------------------------- claim 1: five setups
s1 = summary("c1-setups/")
SETUPS = ["Single admin", "Two admins", "MSP", "Hybrid", "Admin + backup"]


def t_setups(lang):
    rows = []
    for s in SETUPS:
        rows.append([
            sname(s, lang),
            pm(s1[(s, "coverage_share")], 1, lang, 100, pct=True),
            pm(s1[(s, "uncovered_bh")], 0, lang),
            pm(s1[(s, "longest_gap_days")], 1, lang),
            p95(s1[(s, "longest_gap_days")], 1, lang),
            pm(s1[(s, "user_hours_lost")], 0, lang),
            p95(s1[(s, "user_hours_lost")], 0, lang),
            pm(s1[(s, "emergency_calls")], 1, lang),
            pm(s1[(s, "cost_total_eur")], 0, lang),
        ])
    return table("setups", [h(k, lang) for k in ["setup", "cov", "unc", "gap", "gap95", "uhl", "uhl95", "emc", "cost"]], rows)


put("claim1-setups", t_setups("en"), t_setups("de"))


# ---------------------------------------------------------------- claim 1: flips
def t_docsize(lang):
    paths, rows = sweep("c1-doc-size-en")
    dq, pcs = paths
    out = []
    for r in rows:
        if r["setup"] != "Single admin" or r["metric"] != "user_hours_lost":
            continue
        two = next(x for x in rows if x["setup"] == "Two admins" and x["metric"] == "user_hours_lost" and x[pcs] == r[pcs] and x[dq] == r[dq])
        out.append([
            r[pcs], fmt(num(r[dq]), 1, lang), p95(r, 0, lang),
            verdict(num(r["p95_ci_lo"]), num(r["p95_ci_hi"]), 2000, lang), p95(two, 0, lang),
            verdict(num(two["p95_ci_lo"]), num(two["p95_ci_hi"]), 2000, lang),
        ])
    out.sort(key=lambda x: (int(x[0]), x[1]))
    hd = (["PCs", "Single admin: documentation quality", "Single admin: user-hours lost, bad year (P95)", "≤ 2,000?", "Two admins: P95", "≤ 2,000?"]
          if lang == "en" else
          ["PCs", "Ein Admin: Dokumentationsqualität", "Ein Admin: verlorene Arbeitsstunden, schlechtes Jahr (P95)", "≤ 2.000?", "Zwei Admins: P95", "≤ 2.000?"])
    return table("docsize", hd, out)


put("claim1-docsize", t_docsize("en"), t_docsize("de"))


def t_volume(lang):
    out = []
    for f, run in [("0.5", "c1-volume-x0.5/"), ("1", "c1-setups/"), ("1.5", "c1-volume-x1.5/"), ("2", "c1-volume-x2/")]:
        s = summary(run)
        row = [fmt(num(s[("Single admin", "tickets")]["mean"]), 0, lang)]
        for st in ["Single admin", "Two admins", "Hybrid"]:
            u = s[(st, "user_hours_lost")]
            row += [p95(u, 0, lang) + " " + verdict(num(u["p95_ci_lo"]), num(u["p95_ci_hi"]), 2000, lang),
                    fmt(num(s[(st, "cost_total_eur")]["mean"]), 0, lang)]
        out.append([fmt(float(f), 1, lang) + "×"] + row)
    hd = ["Ticket volume", "Tickets / yr"] if lang == "en" else ["Ticketaufkommen", "Tickets / Jahr"]
    for st in ["Single admin", "Two admins", "Hybrid"]:
        hd += [f"{sname(st, lang)}: P95 " + ("user-hours lost" if lang == "en" else "verlorene Arbeitsstunden"),
               f"{sname(st, lang)}: " + ("total cost (€)" if lang == "en" else "Gesamtkosten (€)")]
    return table("volume", hd, out)


put("claim1-volume", t_volume("en"), t_volume("de"))


def t_sens(run, lang):
    rows = read(f"{run}/sensitivity.csv")
    by = {}
    for r in rows:
        by.setdefault(r["parameter"], {})[r["metric"]] = r
    out = []
    for p, m in by.items():
        c, u = m["cost_total_eur"], m["user_hours_lost_p95"]
        out.append((abs(num(c["high"]) - num(c["low"])), [
            p, f"{fmt(num(c['low_value']), 2, lang)} / {fmt(num(c['high_value']), 2, lang)}",
            f"{fmt(num(c['low']), 0, lang)} / {fmt(num(c['base']), 0, lang)} / {fmt(num(c['high']), 0, lang)}",
            f"{fmt(num(u['low']), 0, lang)} / {fmt(num(u['base']), 0, lang)} / {fmt(num(u['high']), 0, lang)}",
        ]))
    out.sort(key=lambda x: -x[0])
    hd = (["Input (−20 % / +20 %)", "Values", "Total cost €/yr: low / base / high", "User-hours lost P95: low / base / high"]
          if lang == "en" else
          ["Eingabe (−20 % / +20 %)", "Werte", "Gesamtkosten €/Jahr: niedrig / Basis / hoch", "Verlorene Arbeitsstunden P95: niedrig / Basis / hoch"])
    return table("sens", hd, [r for _, r in out])


put("claim1-sens", t_sens("c1-sens-single-en", "en"), t_sens("c1-sens-single-en", "de"))

# ---------------------------------------------------------------- claim 2
pres = summary("c2-presence/")
_, c2rows = sweep("c2-size-en")
msp_cov = next(r for r in c2rows if r["setup"] == "MSP" and r["metric"] == "coverage_share" and r["company.pcs"] == "50")
GROUPS = {
    # skill -> group per staffing (None: nobody in-house has it)
    "admin, basic": ["gen", "gen+sec", "gen+sec+srv"],
    "network": ["gen", "gen+sec", "gen+sec"],
    "server": ["gen", "gen", "gen+srv"],
    "security": [None, "sec", "sec+srv"],
}


def t_presence(lang):
    out = []
    for skill, groups in GROUPS.items():
        row = [skill]
        for g in groups:
            if g is None:
                row.append("0 % (" + ("ad-hoc help only" if lang == "en" else "nur Ad-hoc-Hilfe") + ")")
            else:
                row.append(pm(pres[(g, "coverage_share")], 1, lang, 100, pct=True))
        row.append(pm(msp_cov, 1, lang, 100, pct=True))
        out.append(row)
    hd = (["Skill (area)", "1 admin (gen)", "2 admins (gen, sec)", "3 admins (gen, sec, srv)", "MSP (4 technicians)"]
          if lang == "en" else
          ["Fähigkeit (Bereich)", "1 Admin (gen)", "2 Admins (gen, sec)", "3 Admins (gen, sec, srv)", "MSP (4 Techniker)"])
    return table("presence", hd, out)


put("claim2-presence", t_presence("en"), t_presence("de"))


def t_c2size(lang):
    out = []
    for pcs in ["30", "50", "100"]:
        for st in ["1 admin", "2 admins", "3 admins", "MSP"]:
            g = {r["metric"]: r for r in c2rows if r["setup"] == st and r["company.pcs"] == pcs}
            out.append([pcs, sname(st, lang), pm(g["user_hours_lost"], 0, lang), p95(g["user_hours_lost"], 0, lang),
                        pm(g["resolution_p2_p95_bh"], 1, lang), pm(g["cost_total_eur"], 0, lang),
                        pm(g["cost_per_pc_month_eur"], 0, lang)])
    hd = (["PCs", "Setup", "User-hours lost / yr", "… bad year (P95)", "P2 resolution P95 (bh)", "Total cost / yr (€)", "€ per PC and month"]
          if lang == "en" else
          ["PCs", "Aufstellung", "Verlorene Arbeitsstunden / Jahr", "… schlechtes Jahr (P95)", "P2-Lösungszeit P95 (GStd)", "Gesamtkosten / Jahr (€)", "€ pro PC und Monat"])
    return table("c2size", hd, out)


put("claim2-size", t_c2size("en"), t_c2size("de"))

# ---------------------------------------------------------------- claim 3
VOLS = [("1", "c3-load-en"), ("0.5", "c3-load-x0.5-en"), ("0.25", "c3-load-x0.25-en")]
P2_TARGET, P1_TARGET = 8.0, 1.0


def t_load(lang):
    data = {}
    for v, run in VOLS:
        paths, rows = sweep(run)
        for r in rows:
            data[(v, int(r[paths[0]]), r["metric"])] = r
    others = sorted({k[1] for k in data})
    out = []
    for o in others:
        row = [fmt((o + 50) / 8, 1, lang)]
        for v, _ in VOLS:
            r2, r1 = data[(v, o, "resolution_p2_p95_bh")], data[(v, o, "response_p1_p95_bh")]
            row.append(f"{pm(r2, 1, lang)} {verdict(num(r2['mean_ci_lo']), num(r2['mean_ci_hi']), P2_TARGET, lang)}")
            row.append(f"{pm(r1, 2, lang)} {verdict(num(r1['mean_ci_lo']), num(r1['mean_ci_hi']), P1_TARGET, lang)}")
        out.append(row)
    # Where it slips: the first load whose CI lies above a target.
    slip = ["**" + ("slips from" if lang == "en" else "kippt ab") + "**"]
    for v, _ in VOLS:
        for metric, target in [("resolution_p2_p95_bh", P2_TARGET), ("response_p1_p95_bh", P1_TARGET)]:
            first = next((o for o in others if num(data[(v, o, metric)]["mean_ci_lo"]) > target), None)
            slip.append("–" if first is None else f"**{fmt((first + 50) / 8, 1, lang)}**")
    out.append(slip)
    if lang == "en":
        hd = ["PCs per technician (pool of 8)"]
        for v, _ in VOLS:
            hd += [f"{v} tickets/user/month: P2 resolution P95 (bh, target 8)", f"{v}: P1 response P95 (bh, target 1)"]
    else:
        hd = ["PCs je Techniker (Pool von 8)"]
        for v, _ in VOLS:
            vv = v.replace(".", ",")
            hd += [f"{vv} Tickets/Nutzer/Monat: P2-Lösungszeit P95 (GStd, Ziel 8)", f"{vv}: P1-Reaktionszeit P95 (GStd, Ziel 1)"]
    return table("load", hd, out)


put("claim3-load", t_load("en"), t_load("de"))


def t_techs(lang):
    paths, rows = sweep("c3-techs-en")
    g = {}
    for r in rows:
        g.setdefault(int(r[paths[0]]), {})[r["metric"]] = r
    out = []
    for t in sorted(g):
        m = g[t]
        out.append([str(t), fmt(850 / t, 0, lang),
                    pm(m["resolution_p2_p95_bh"], 1, lang) + " " + verdict(num(m["resolution_p2_p95_bh"]["mean_ci_lo"]), num(m["resolution_p2_p95_bh"]["mean_ci_hi"]), P2_TARGET, lang),
                    pm(m["response_p1_p95_bh"], 2, lang), pm(m["backlog_max"], 0, lang), pm(m["user_hours_lost"], 0, lang)])
    hd = (["Technicians", "PCs per technician", "P2 resolution P95 (bh, target 8)", "P1 response P95 (bh)", "Backlog max", "User-hours lost / yr"]
          if lang == "en" else
          ["Techniker", "PCs je Techniker", "P2-Lösungszeit P95 (GStd, Ziel 8)", "P1-Reaktionszeit P95 (GStd)", "Rückstau max.", "Verlorene Arbeitsstunden / Jahr"])
    return table("techs", hd, out)


put("claim3-techs", t_techs("en"), t_techs("de"))
put("claim3-sens", t_sens("c3-sens-msp-en", "en"), t_sens("c3-sens-msp-en", "de"))


# ---------------------------------------------------------------- claim 4
def t_senior(lang):
    out = []
    data = {}
    for v, run in [("1", "c4-senior-en"), ("0.25", "c4-senior-x0.25-en")]:
        paths, rows = sweep(run)
        for r in rows:
            data[(v, int(r[paths[0]]), int(r[paths[1]]), r["metric"])] = r
    for o in sorted({k[1] for k in data}):
        row = [str((o + 50) // 50), str(o + 50)]
        for v in ["1", "0.25"]:
            for t in [1, 2]:
                r2 = data[(v, o, t, "resolution_p2_p95_bh")]
                row.append(f"{pm(r2, 1, lang)} {verdict(num(r2['mean_ci_lo']), num(r2['mean_ci_hi']), P2_TARGET, lang)}")
        row.append(pm(data[("1", o, 1, "longest_gap_days")], 1, lang))
        row.append(pm(data[("1", o, 1, "coverage_share")], 1, lang, 100, pct=True))
        out.append(row)
    if lang == "en":
        hd = ["Clients of 50 PCs", "PCs", "1.0 tickets/user/month, 1 technician: P2 resolution P95 (bh)", "… 2 technicians",
              "0.25 tickets/user/month, 1 technician", "… 2 technicians", "1 technician: longest gap (days)", "1 technician: coverage"]
    else:
        hd = ["Kunden mit 50 PCs", "PCs", "1,0 Tickets/Nutzer/Monat, 1 Techniker: P2-Lösungszeit P95 (GStd)", "… 2 Techniker",
              "0,25 Tickets/Nutzer/Monat, 1 Techniker", "… 2 Techniker", "1 Techniker: längste Lücke (Tage)", "1 Techniker: Abdeckung"]
    return table("senior", hd, out)


put("claim4-senior", t_senior("en"), t_senior("de"))


# ---------------------------------------------------------------- claim 5
def t_vacancy(lang):
    paths, rows = sweep("c5-vacancy-en")
    delay, ttf = paths
    g = {}
    for r in rows:
        if r["setup"] == "Single admin":
            g.setdefault((float(r[ttf]), float(r[delay])), {})[r["metric"]] = r
    out = []
    for (t, d), m in sorted(g.items()):
        out.append([fmt(t, 0, lang), fmt(d, 0, lang), pm(m["longest_gap_days"], 1, lang), pm(m["user_hours_lost"], 0, lang),
                    p95(m["user_hours_lost"], 0, lang), pm(m["cost_total_eur"], 0, lang)])
    hd = (["Time to fill the post (days)", "Time to find emergency help (h)", "Single admin: longest gap (days)", "User-hours lost / yr", "… bad year (P95)", "Total cost / yr (€)"]
          if lang == "en" else
          ["Besetzungsdauer (Tage)", "Zeit, bis Notfallhilfe gefunden ist (Std)", "Ein Admin: längste Lücke (Tage)", "Verlorene Arbeitsstunden / Jahr", "… schlechtes Jahr (P95)", "Gesamtkosten / Jahr (€)"])
    return table("vacancy", hd, out)


put("claim5-vacancy", t_vacancy("en"), t_vacancy("de"))

# ---------------------------------------------------------------- claim 6
ill = read("c6-ill/replications.csv")
healthy = read("c6-healthy/replications.csv")
hmap = {(r["replication"], r["setup"]): r for r in healthy}
T975 = 1.959963984540054  # normal quantile; n ≥ 1000 paired years (Student t differs < 0.1 %)


def paired(setup, metric):
    d = [num(r[metric]) - num(hmap[(r["replication"], setup)][metric]) for r in ill if r["setup"] == setup]
    n = len(d)
    m = sum(d) / n
    sd = math.sqrt(sum((x - m) ** 2 for x in d) / (n - 1)) if n > 1 else 0.0
    return m, T975 * sd / math.sqrt(n)


s6 = summary("c6-ill/")


def t_story(lang):
    out = []
    for s in SETUPS:
        row = [sname(s, lang)]
        for metric, dec in [("user_hours_lost", 0), ("emergency_calls", 1), ("cost_emergency_eur", 0), ("cost_interim_eur", 0), ("cost_total_eur", 0)]:
            m, half = paired(s, metric)
            sign = "+" if m >= 0 else "−"
            row.append(f"{sign}{fmt(abs(m), dec, lang)} ± {fmt(half, dec, lang)}")
        row.append(pm(s6[(s, "backlog_max")], 0, lang))
        row.append(pm(s6[(s, "cost_total_eur")], 0, lang))
        out.append(row)
    hd = (["Setup", "Extra user-hours lost", "Extra emergency calls", "Extra emergency cost (€)", "Extra interim cost (€)", "Extra total cost (€)", "Backlog max (tickets)", "Total cost of the year (€)"]
          if lang == "en" else
          ["Aufstellung", "Zusätzlich verlorene Arbeitsstunden", "Zusätzliche Notfalleinsätze", "Zusätzliche Notfallkosten (€)", "Zusätzliche Interimskosten (€)", "Zusätzliche Gesamtkosten (€)", "Rückstau max. (Tickets)", "Gesamtkosten des Jahres (€)"])
    return table("story", hd, out)


put("claim6-story", t_story("en"), t_story("de"))

daily = read("c6-ill/daily.csv")
WEEKS = [("2026-03-01", "before"), ("2026-03-08", "week 1"), ("2026-03-15", "week 2"), ("2026-03-22", "week 3"),
         ("2026-03-29", "week 4"), ("2026-04-05", "week 5"), ("2026-04-12", "week 6"), ("2026-04-19", "+1 week"), ("2026-04-26", "+2 weeks")]
WEEKS_DE = {"before": "davor", "+1 week": "+1 Woche", "+2 weeks": "+2 Wochen"}


def t_backlog(lang):
    by = {(r["setup"], r["date"]): r for r in daily}
    out = []
    for s in SETUPS:
        row = [sname(s, lang)]
        for d, _ in WEEKS:
            r = by[(s, d)]
            row.append(f"{fmt(num(r['backlog_p50']), 0, lang)} ({fmt(num(r['backlog_p10']), 0, lang)}–{fmt(num(r['backlog_p90']), 0, lang)})")
        out.append(row)
    labels = [w if lang == "en" else WEEKS_DE.get(w, w.replace("week", "Woche")) for _, w in WEEKS]
    dates = [d[8:10] + "." + d[5:7] + "." for d, _ in WEEKS]
    hd = [("Open tickets, Sunday evening" if lang == "en" else "Offene Tickets, Sonntagabend")] + [f"{l} ({d})" for l, d in zip(labels, dates)]
    return table("backlog", hd, out)


put("claim6-backlog", t_backlog("en"), t_backlog("de"))


# ---------------------------------------------------------------- claim 7
def t_price(lang):
    paths, rows = sweep("c7-price-en")
    fee, rate = paths
    out = []
    for r in rows:
        if r["setup"] != "Admin + backup" or r["metric"] != "cost_total_eur":
            continue
        others = {x["setup"]: x for x in rows if x["metric"] == "cost_total_eur" and x[fee] == r[fee] and x[rate] == r[rate]}
        cheapest = min(others.values(), key=lambda x: num(x["mean"]))
        out.append((float(r[fee]), float(r[rate]), [fmt(float(r[fee]), 0, lang), fmt(float(r[rate]), 0, lang), pm(r, 0, lang),
                    pm(others["Single admin"], 0, lang), pm(others["Two admins"], 0, lang), pm(others["Hybrid"], 0, lang),
                    sname(cheapest["setup"], lang)]))
    out.sort(key=lambda x: (x[0], x[1]))
    hd = (["Backup fee (€/PC/month)", "Hourly rate (€)", "Admin + backup: total cost / yr (€)", "Single admin", "Two admins", "Hybrid", "Cheapest setup"]
          if lang == "en" else
          ["Backup-Pauschale (€/PC/Monat)", "Stundensatz (€)", "Admin + Backup: Gesamtkosten / Jahr (€)", "Ein Admin", "Zwei Admins", "Hybrid", "Günstigste Aufstellung"])
    return table("price", hd, [r for *_, r in out])


put("claim7-price", t_price("en"), t_price("de"))


def t_breakeven(lang):
    """The downtime cost per user-hour at which Admin + backup costs as much as each cheaper
    setup: its extra IT cost divided by the user-hours it saves (means of claim 1's run)."""
    ab_it, ab_uh = num(s1[("Admin + backup", "cost_it_eur")]["mean"]), num(s1[("Admin + backup", "user_hours_lost")]["mean"])
    out = []
    for s in ["MSP", "Hybrid"]:
        it, uh = num(s1[(s, "cost_it_eur")]["mean"]), num(s1[(s, "user_hours_lost")]["mean"])
        out.append([sname(s, lang), fmt(ab_it - it, 0, lang), fmt(uh - ab_uh, 0, lang), fmt((ab_it - it) / (uh - ab_uh), 0, lang)])
    hd = (["Against", "Extra IT cost of Admin + backup (€/yr)", "User-hours it saves / yr", "Break-even downtime cost (€ per user-hour)"]
          if lang == "en" else
          ["Gegenüber", "IT-Mehrkosten von Admin + Backup (€/Jahr)", "Eingesparte Arbeitsstunden / Jahr", "Ausfallkosten für Gleichstand (€ je Arbeitsstunde)"])
    return table("breakeven", hd, out)


put("claim7-breakeven", t_breakeven("en"), t_breakeven("de"))
put("claim7-sens", t_sens("c7-sens-backup-en", "en"), t_sens("c7-sens-backup-en", "de"))


def t_reps(lang):
    rows = [[("single runs (the five setups, claim 2 presence, claim 6)" if lang == "en" else "Einzelläufe (fünf Aufstellungen, Anwesenheit Behauptung 2, Behauptung 6)"), fmt(RUN_REPS, 0, lang)],
            [("every sweep point and sensitivity run" if lang == "en" else "jeder Sweep-Punkt und Sensitivitätslauf"), fmt(SWEEP_REPS, 0, lang)]]
    return table("reps", ["Runs" if lang == "en" else "Läufe", "Replications (simulated years)" if lang == "en" else "Replikationen (simulierte Jahre)"], rows)


put("reps", t_reps("en"), t_reps("de"))

# ---------------------------------------------------------------- write
os.makedirs(os.path.join(R, "tables"), exist_ok=True)
for name, by_lang in TABLES.items():
    for lang, md in by_lang.items():
        with open(os.path.join(R, "tables", f"{name}.{lang}.md"), "w", encoding="utf-8") as f:
            f.write(md)

here = os.path.dirname(os.path.abspath(__file__))
study = os.path.dirname(here)
for lang, doc in [("en", "README.md"), ("de", "README.de.md")]:
    path = os.path.join(study, doc)
    text = open(path, encoding="utf-8").read()
    seen = set()

    def sub(m):
        name = m.group(1)
        if name not in TABLES:
            sys.exit(f"error: {path}: block '{name}' has no table")
        seen.add(name)
        return f"<!-- BEGIN {name} -->\n{TABLES[name][lang]}<!-- END {name} -->"

    text = re.sub(r"<!-- BEGIN ([\w-]+) -->\n.*?<!-- END \1 -->", sub, text, flags=re.S)
    missing = set(TABLES) - seen
    if missing:
        sys.exit(f"error: {path}: no block for the tables {sorted(missing)}")
    # The charts the write-up shows, from the run folders' charts of its language.
    for chart in sorted(set(re.findall(r"results/charts/" + lang + r"/([\w.-]+\.png)", text))):
        src = os.path.join(R, "tmp", "charts", lang, chart)
        if not os.path.exists(src):
            sys.exit(f"error: {path}: chart {chart} was not drawn")
        shutil.copy(src, os.path.join(R, "charts", lang, chart))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)

# The CSV files behind the tables (the run folders themselves are not kept: replications.csv
# of every run would be tens of MB).
for src in ["c1-setups/summary.csv", "c1-doc-size-en/sweep.csv", "c1-volume-x0.5/summary.csv", "c1-volume-x1.5/summary.csv",
            "c1-volume-x2/summary.csv", "c1-sens-single-en/sensitivity.csv", "c2-presence/summary.csv", "c2-size-en/sweep.csv",
            "c3-load-en/sweep.csv", "c3-load-x0.5-en/sweep.csv", "c3-load-x0.25-en/sweep.csv", "c3-techs-en/sweep.csv",
            "c3-sens-msp-en/sensitivity.csv", "c4-senior-en/sweep.csv", "c4-senior-x0.25-en/sweep.csv", "c5-vacancy-en/sweep.csv",
            "c6-ill/summary.csv", "c6-ill/daily.csv", "c6-healthy/summary.csv", "c7-price-en/sweep.csv", "c7-sens-backup-en/sensitivity.csv"]:
    run, file = src.split("/")
    shutil.copy(os.path.join(RUNS, src), os.path.join(R, "data", f"{run.removesuffix('-en')}-{file}"))
print(f"{len(TABLES)} tables written")
