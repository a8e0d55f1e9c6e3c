#!/usr/bin/env bash
# Multi-process training on one machine with torchrun (as mmdet's tools/dist_train.sh).
#   bash tools/dist_train.sh CONFIG GPUS [train.py options]
# NNODES, NODE_RANK, PORT, MASTER_ADDR select a multi-node run.
exec bash "$(dirname "$0")/dist_run.sh" train.py "$2" "$1" "${@:3}"
