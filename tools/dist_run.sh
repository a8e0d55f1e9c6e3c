#!/usr/bin/env bash
# torchrun of one of our tools on this machine, one process per GPU (or per
# CPU rank: gloo); called by dist_train.sh and dist_test.sh.
#   bash tools/dist_run.sh train.py|test.py NPROC [tool arguments]
# NNODES, NODE_RANK, PORT, MASTER_ADDR select a multi-node run.
TOOL=$1
NPROC=$2
PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
python3 -m torch.distributed.run \
    --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="${PORT:-29500}" \
    --nproc_per_node="$NPROC" \
    "$(dirname "$0")/$TOOL" "${@:3}" --launcher pytorch
