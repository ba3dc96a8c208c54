#!/bin/bash
# covsim on a Slurm cluster: one array job, one task per shard; merge when all are done:
#
#   jid=$(sbatch --parsable examples/cluster/slurm-array.sh)
#   sbatch --dependency=afterok:"$jid" --wrap "covsim merge shards --out run-100k"
#
# Every task runs the same command: --shard auto reads SLURM_ARRAY_TASK_ID and
# SLURM_ARRAY_TASK_COUNT (and the array's range, so --array=1-100 works too) and writes
# shards/shard-KKK-of-100. The number of shards is the array's size: change only --array.
#SBATCH --job-name=covsim
#SBATCH --array=0-99
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=00:30:00
#SBATCH --output=covsim-%A_%a.log
set -euo pipefail

COVSIM=${COVSIM:-covsim}
SCENARIO=${SCENARIO:-scenarios/mustermann-gmbh.toml}
REPS=${REPS:-100000}
SHARDS=${SHARDS:-shards}

# --force: a task that Slurm requeues writes the same shard again, bit for bit.
exec "$COVSIM" run "$SCENARIO" --reps "$REPS" --shard auto \
    --threads "${SLURM_CPUS_PER_TASK:-1}" --quiet --force --out "$SHARDS"
