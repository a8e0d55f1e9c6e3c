#!/usr/bin/env bash
# Quickstart recipe search on a GPU machine: trains several variants of the
# quickstart config side by side and prints val PQ over iterations, so that
# the CPU recipe can be chosen by PQ per step (CPU seconds per step are
# measured separately with tools/analysis/benchmark_train_step.py).
#   bash tools/analysis/recipe_search_gpu.sh OUT_DIR MAX_ITERS
set -u
OUT=$1
ITERS=${2:-1600}
CFG=configs/quickstart/m2f_r18_shapes_panoptic.py
python3 -c "from m2f_mm.datasets import generate; generate('data/shapes')"
common="train_cfg.max_iters=$ITERS train_cfg.val_interval=200 default_hooks.logger.interval=100 train_dataloader.num_workers=3"
declare -A V
V[A_base_lr1e-3]=""
V[B_lr3e-4]="optim_wrapper.optimizer.lr=0.0003"
V[C_dilated_lr5e-4]="model.backbone.strides=[1,2,2,1] model.backbone.dilations=[1,1,1,2] optim_wrapper.optimizer.lr=0.0005"
V[D_bs4_6layers_lr5e-4]="train_dataloader.batch_size=4 model.head.transformer_decoder.num_layers=6 optim_wrapper.optimizer.lr=0.0005"
for name in "${!V[@]}"; do
  timeout ${TRAIN_TIMEOUT:-330} python3 tools/train.py $CFG --work-dir "$OUT/$name" \
    --cfg-options $common ${V[$name]} > "$OUT/$name.log" 2>&1 &
done
wait
for name in $(printf '%s\n' "${!V[@]}" | sort); do
  echo "== $name"
  grep -o "Iter(train) \[ *[0-9]*/[0-9]*\].*time: [0-9.]*  data_time" "$OUT/$name.log" | tail -1 | grep -o "time: [0-9.]*  data" | head -1
  grep -o "Iter(val).*" "$OUT/$name.log" | grep -o "coco_panoptic/PQ: [0-9.]*\|PQ_th: [0-9.]*\|PQ_st: [0-9.]*\|segm_mAP: [0-9.]*\|mIoU: [0-9.]*" | paste -d' ' - - - - -
  tail -2 "$OUT/$name.log" | grep -i error || true
done
