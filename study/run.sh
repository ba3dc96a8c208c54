#!/usr/bin/env bash
# Rebuilds every table and chart of the whitepaper study (study/README.md) from scratch, with
# fixed seeds (the scenarios' simulation.seed) and fixed replication counts, so the results
# are the same bytes on every machine. Run from anywhere: study/run.sh
# STUDY_REPS_SCALE=0.1 shrinks every replication count (for trying changes quickly; the
# committed results are those of the default, 1).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

cargo build --release --locked --quiet
B=target/release/covsim
S=study/scenarios
R=study/results
scale=${STUDY_REPS_SCALE:-1}
reps() { python3 -c "import sys; print(max(20, round($1 * float(sys.argv[1]))))" "$scale"; }

# Replications per point (CI half-widths they give: study/README.md, "Precision").
RUN=$(reps 2000)      # single runs: the five setups side by side
SWEEP=$(reps 1000)    # sweep points and sensitivity runs

rm -rf "$R/runs" "$R/charts" "$R/tables" "$R/data" "$R/tmp"
mkdir -p "$R/runs" "$R/charts/en" "$R/charts/de" "$R/tables" "$R/data" "$R/tmp/charts/en" "$R/tmp/charts/de"
step() { echo "== $* ($(($(date +%s) - start)) s)"; }

# A run: its folder, then its English charts and, redrawn from the same files, the German ones.
run() { # name scenario [options]
    local name=$1 scen=$2
    shift 2
    "$B" run "$scen" --reps "$RUN" -q --out "$R/runs/$name" "$@" >"$R/runs/$name.txt"
    for f in "$R/runs/$name"/chart-*.png; do cp "$f" "$R/tmp/charts/en/$name-$(basename "$f" .png | sed 's/^chart-//').png"; done
    "$B" report "$R/runs/$name" --lang de >/dev/null
    for f in "$R/runs/$name"/chart-*.png; do cp "$f" "$R/tmp/charts/de/$name-$(basename "$f" .png | sed 's/^chart-//').png"; done
}
# A sweep or a sensitivity analysis, once per language (they have no redraw command).
twice() { # command name scenario [options]
    local cmd=$1 name=$2 scen=$3
    shift 3
    for lang in en de; do
        local out="$R/runs/$name-$lang"
        "$B" "$cmd" "$scen" --reps "$SWEEP" -q --lang "$lang" --out "$out" "$@" >/dev/null
        for f in "$out"/chart-*.png; do cp "$f" "$R/tmp/charts/$lang/$name-$(basename "$f" .png | sed 's/^chart-//').png"; done
    done
}
# A sweep whose charts the write-ups do not show: English only, for its table.
once() { # command name scenario [options]
    local cmd=$1 name=$2 scen=$3
    shift 3
    "$B" "$cmd" "$scen" --reps "$SWEEP" -q --out "$R/runs/$name-en" "$@" >/dev/null
}
volume() { # scenario factor -> path of the scaled copy
    local out="$R/tmp/$(basename "$1" .toml)-x$2.toml"
    python3 study/tools/scale_tickets.py "$1" "$2" "$out" resize-msp
    "$B" validate "$out" >/dev/null
    echo "$out"
}

step "claims 1 and 7: the five setups"
run c1-setups $S/mustermann-study.toml
step "claim 1: documentation quality × company size"
twice sweep c1-doc-size $S/mustermann-study.toml \
    --set 'setups["Single admin"].documentation_quality=0.1,0.3,0.6,0.9' --set company.pcs=30,50,100
step "claim 1: ticket volume"
for f in 0.5 1.5 2; do
    "$B" run "$(volume $S/mustermann-study.toml $f)" --reps "$SWEEP" -q --out "$R/runs/c1-volume-x$f" >/dev/null
done
step "claim 1: sensitivity of the single admin"
twice sensitivity c1-sens-single $S/mustermann-study.toml --setup "Single admin"

step "claim 2: presence by skill"
"$B" run $S/claim2-skill-coverage.toml --reps "$RUN" -q --out "$R/runs/c2-presence" >/dev/null
step "claim 2: 1, 2, 3 admins and an MSP at 30, 50, 100 PCs"
twice sweep c2-size $S/claim2-skills.toml --set company.pcs=30,50,100

step "claim 3: PCs per technician for a pool of 8, three ticket volumes"
# 50 PCs of ours + other clients' = 8 × 50, 75, 100, 112.5, 125, 150, 175, 200, 250 PCs.
others=350,550,750,850,950,1150,1350,1550,1950
twice sweep c3-load $S/claim3-msp-pool.toml --set msp.pool.other_clients_pcs=$others
for f in 0.5 0.25; do
    once sweep c3-load-x$f "$(volume $S/claim3-msp-pool.toml $f)" --set msp.pool.other_clients_pcs=$others
done
step "claim 3: technicians for 850 PCs"
once sweep c3-techs $S/claim3-msp-pool.toml --set msp.pool.technicians=3,4,5,6,8,10
step "claim 3: sensitivity of the MSP"
twice sensitivity c3-sens-msp $S/claim3-msp-pool.toml --setup MSP

step "claim 4: one or two technicians for 1 to 10 clients of 50 PCs"
twice sweep c4-senior $S/claim3-msp-pool.toml \
    --set msp.pool.other_clients_pcs=0,50,100,150,200,300,450 --set msp.pool.technicians=1,2
once sweep c4-senior-x0.25 "$(volume $S/claim3-msp-pool.toml 0.25)" \
    --set msp.pool.other_clients_pcs=0,50,100,150,200,300,450 --set msp.pool.technicians=1,2

step "claim 5: time to find emergency help and vacancy length"
# Fixed lengths (bare numbers) instead of the default lognormal spread, so that the chart's
# axis and panels read as plain numbers: hours to find help, days to fill the post.
twice sweep c5-vacancy $S/mustermann-study.toml \
    --set emergency.default.search_delay_h=1,6,24 --set profiles.it-admin.time_to_fill_days=90,210,365

step "claim 6: the admin ill for six weeks, and the same year without the illness"
run c6-ill $S/mustermann-story.toml
"$B" run $S/mustermann-story-healthy.toml --reps "$RUN" -q --out "$R/runs/c6-healthy" >/dev/null

step "claim 7: the backup contract's price"
twice sweep c7-price $S/mustermann-study.toml \
    --set msp.backup.fee_eur_per_pc_month=0,15,30,45 --set msp.backup.hourly_rate_eur=95,130
twice sensitivity c7-sens-backup $S/mustermann-study.toml --setup "Admin + backup"

step "tables and write-ups"
python3 study/tools/tables.py "$R" "$RUN" "$SWEEP"
rm -rf "$R/tmp"
step "done in $(($(date +%s) - start)) s"
