#!/usr/bin/env bash
# Multi-process evaluation with torchrun (as mmdet's tools/dist_test.sh).
#   bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py options]
exec bash "$(dirname "$0")/dist_run.sh" test.py "$3" "$1" "$2" "${@:4}"
