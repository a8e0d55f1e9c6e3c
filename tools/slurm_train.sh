#!/usr/bin/env bash
# Training on a Slurm cluster (as mmdet's tools/slurm_train.sh).
#   GPUS=16 bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py options]
# GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK (5) and SRUN_ARGS tune the job;
# SIGNAL=USR1@SECONDS: checkpoint and requeue before the time limit (README).
exec bash "$(dirname "$0")/slurm_run.sh" train.py "$1" "$2" "$3" \
    --work-dir="$4" "${@:5}"
