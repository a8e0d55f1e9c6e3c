#!/usr/bin/env bash
# srun of one of our tools, one task per GPU (or per CPU rank on nodes
# without GPUs: gloo); called by slurm_train.sh and slurm_test.sh.
#   bash tools/slurm_run.sh train.py|test.py PARTITION JOB_NAME [tool arguments]
# GPUS (8) tasks in all, GPUS_PER_NODE (8) tasks a node, CPUS_PER_TASK (5)
# and SRUN_ARGS tune the job. GPUs are asked for (--gres) only where the
# partition's nodes have them. SIGNAL=USR1@120 has Slurm signal the tasks 120 s
# before the time limit (they checkpoint and requeue: PreemptionHook). In a
# batch job that was requeued (SLURM_RESTART_COUNT > 0), train.py resumes from
# the work dir's last checkpoint.
set -x
TOOL=$1
PARTITION=$2
JOB_NAME=$3
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
GRES=""
if sinfo -h -p "${PARTITION}" -o %G 2>/dev/null | grep -q gpu; then
    GRES="--gres=gpu:${GPUS_PER_NODE}"
fi
SIGNAL_ARG=""
if [ -n "${SIGNAL:-}" ]; then
    SIGNAL_ARG="--signal=${SIGNAL}"
fi
RESUME=""
if [ "$TOOL" = train.py ] && [ "${SLURM_RESTART_COUNT:-0}" -gt 0 ]; then
    case " ${*:4} " in *" --resume"*) ;; *) RESUME="--resume" ;; esac
fi
PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
srun -p "${PARTITION}" \
    --job-name="${JOB_NAME}" \
    ${GRES} \
    --ntasks="${GPUS}" \
    --ntasks-per-node="${GPUS_PER_NODE}" \
    --cpus-per-task="${CPUS_PER_TASK:-5}" \
    --kill-on-bad-exit=1 \
    ${SIGNAL_ARG} \
    ${SRUN_ARGS:-} \
    python3 -u "$(dirname "$0")/$TOOL" "${@:4}" ${RESUME} --launcher=slurm
