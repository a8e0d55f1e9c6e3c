#!/usr/bin/env bash
# GPU benchmark of m2f_mm's Mask2Former against mmdet's, in one go on a fresh GPU machine
# (within 10 minutes on one H200, 16 cores): R50 COCO panoptic predict fps at 800x1216 with
# panoptic + instance post-processing, and the train step (time, peak memory) at 2 x 1024^2
# LSJ crops; fp32 and bf16 autocast; ours vs mmdet's on the same build.
#
#   bash tools/analysis/gpu_bench.sh --fetch   # here, with the package registries: the wheels
#                                              # and mmcv's source into .whl/ (Python 3.12)
#   bash tools/analysis/gpu_bench.sh           # there, with .whl/ carried; results in
#                                              # ${OUT:-gpu_bench_out}/gpu_bench.txt
#   bash tools/analysis/gpu_bench.sh --cpu-check  # here: the same four benchmark lines on the
#                                              # CPU at toy sizes (the quickstart's ResNet-18,
#                                              # 64 px, one step), no install; what the tests run
#
# What it builds there: mmcv 2.1.0's CUDA ops for the GPU's own architecture only (both models
# then use mmcv's CUDA deformable-attention kernel, our 'mmcv_cuda' sampling path), into a folder
# on PYTHONPATH; the OpenMMLab packages and their pure-Python needs come from .whl/. Torch is
# the machine's own and is never replaced.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WHL=$ROOT/.whl
PY=${PYTHON:-python3}
PURE="mmengine==0.10.7 mmdet==3.3.0 mmsegmentation==1.2.2 addict yapf==0.40.1 termcolor
  terminaltables shapely pycocotools ftfy regex panopticapi-lite platformdirs tomli rich
  markdown-it-py mdurl pygments wcwidth prettytable"

if [ "${1:-}" = "--fetch" ]; then
  mkdir -p "$WHL"
  grep -qx '/.whl/' "$ROOT/.git/info/exclude" 2>/dev/null || echo '/.whl/' >> "$ROOT/.git/info/exclude"
  for p in $PURE; do
    "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
      --implementation cp --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
      --platform manylinux_2_28_x86_64 --platform any -d "$WHL" "$p" || exit 1
  done
  "$PY" -m pip download -q --no-deps --no-binary=:all: -d "$WHL" mmcv==2.1.0 || exit 1
  du -sh "$WHL"; exit 0
fi

CHECK=0; [ "${1:-}" = "--cpu-check" ] && CHECK=1
OUT=${OUT:-$ROOT/gpu_bench_out}; mkdir -p "$OUT"
LOG=$OUT/gpu_bench.txt
say() { echo "[gpu_bench $(date +%T)] $*" | tee -a "$LOG"; }
SITE=/tmp/m2f_site; mkdir -p "$SITE"
export PYTHONPATH=$SITE:$ROOT${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
t0=$(date +%s)
if [ $CHECK = 0 ]; then
say "$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1)"
say "torch $("$PY" -c 'import torch;print(torch.__version__, torch.version.cuda)')"

# 1. Pure-Python packages from .whl (no registry there).
if ! "$PY" -c "import mmdet, mmseg, mmengine" 2>/dev/null; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --target "$SITE" "$WHL"/*.whl \
    >>"$LOG" 2>&1 || { say "installing .whl failed (run --fetch here first)"; exit 1; }
fi
# 2. mmcv 2.1.0 with CUDA ops for this GPU's architecture only.
if ! "$PY" -c "import mmcv._ext" 2>/dev/null; then
  ARCH=$("$PY" -c "import torch;print('%d.%d' % torch.cuda.get_device_capability())")
  say "compiling mmcv 2.1.0 CUDA ops for sm_${ARCH/./} on $(nproc) cores"
  rm -rf /tmp/mmcv-2.1.0 && tar xzf "$WHL"/mmcv-2.1.0.tar.gz -C /tmp
  (cd /tmp/mmcv-2.1.0 && MMCV_WITH_OPS=1 FORCE_CUDA=1 TORCH_CUDA_ARCH_LIST=$ARCH \
     MAX_JOBS=$(nproc) "$PY" setup.py build_ext --inplace >>"$LOG" 2>&1) \
    || { say "mmcv failed to compile: see $LOG"; exit 1; }
  ln -sfn /tmp/mmcv-2.1.0/mmcv "$SITE/mmcv"
  say "mmcv built in $(( $(date +%s) - t0 )) s"
fi
"$PY" -c "import mmcv, mmcv._ext, mmdet, m2f_mm; from m2f_mm.models.layers.deformable_sampling \
import MMCV_HAS_CUDA_KERNEL as k; assert k, 'mmcv without CUDA ops'" >>"$LOG" 2>&1 \
  || { say "the stack does not import: see $LOG"; exit 1; }
fi

# 3. The benchmarks, 100 s each at most; a failure of one (e.g. mmdet under bf16) is logged and
#    the rest go on.
CFG=configs/m2f_r50_coco_panoptic.py DEVICE=cuda IMAGES=20 SHAPE="800 1216" SIZE=1024 STEPS=5
if [ $CHECK = 1 ]; then
  CFG=configs/quickstart/m2f_r18_shapes_panoptic.py DEVICE=cpu IMAGES=1 SHAPE="64 64" SIZE=64 STEPS=1
fi
cd "$ROOT"
run() {
  say "$*"
  timeout 100 "$PY" "$@" 2>&1 | grep -v -i warn | tee -a "$LOG"
  [ "${PIPESTATUS[0]}" = 0 ] || say "failed: $*"
}
run tools/analysis/benchmark.py $CFG --device $DEVICE --images $IMAGES --shape $SHAPE
run tools/analysis/benchmark.py $CFG --device $DEVICE --images $IMAGES --shape $SHAPE --amp
run tools/analysis/benchmark_train_step.py --config $CFG --device $DEVICE --batch 2 --size $SIZE \
  --instances 8 --lsj --steps $STEPS --rounds 1
run tools/analysis/benchmark_train_step.py --config $CFG --device $DEVICE --batch 2 --size $SIZE \
  --instances 8 --lsj --steps $STEPS --rounds 1 --amp
say "done in $(( $(date +%s) - t0 )) s"
