#!/usr/bin/env bash
# One idempotent set-up for m2f_mm on a fresh Python 3.11 machine.
#   bash tools/setup.sh        # installs what is missing, then verifies the stack
#   bash tools/setup.sh --with-slurm   # also Debian's slurm-wlm and munge (the two-node
#                                      # Slurm of tests/integration/test_slurm.py)
#   M2F_MMCV_FULL_OPT=1 bash tools/setup.sh   # mmcv's ops at Python's -g -O3 (step 3)
# A second run only verifies (a few seconds). The slow part, compiling mmcv 2.1.0
# with its C++ ops, is cached as a wheel in $M2F_CACHE (default ~/.cache/m2f_mm),
# outside the clone, so fresh clones (CI) reuse it.
set -euo pipefail
PY=${PYTHON:-python3}
if [ "${1:-}" = "--with-slurm" ] && ! command -v srun >/dev/null; then
  echo "[m2f_mm setup] installing slurm-wlm and munge (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge
fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${M2F_CACHE:-$HOME/.cache/m2f_mm}
WHEELS=$CACHE/wheels
mkdir -p "$WHEELS"
t0=$(date +%s)
say() { echo "[m2f_mm setup] $*"; }
die() { echo "[m2f_mm setup] ERROR: $*" >&2; exit 1; }
pip_() { "$PY" -m pip install --disable-pip-version-check -q "$@"; }

# 0. Fast path: everything importable at the pinned versions and m2f_mm installed from this clone.
if "$PY" "$ROOT/tools/verify_env.py" --quiet --root "$ROOT" 2>/dev/null; then
  say "environment already complete ($(( $(date +%s) - t0 )) s)"; exit 0
fi

# 1. torch: keep any torch the user has (GPU builds included); else the local CPU wheel.
if "$PY" -c "import torch" 2>/dev/null; then
  say "keeping installed torch $("$PY" -c 'import torch;print(torch.__version__)')"
else
  say "installing torch==2.13.0 (CPU)"
  pip_ "torch==2.13.0"
fi
# Pin whatever torch is present so no later step swaps it for another build.
CONSTRAINT=$CACHE/torch-constraint.txt
"$PY" -c "import torch;print('torch=='+torch.__version__)" > "$CONSTRAINT"
export PIP_CONSTRAINT="$CONSTRAINT"

# 2. Build tools mmcv's setup.py needs (pkg_resources lives in setuptools<81).
pip_ "setuptools<81" wheel ninja

# 3. mmcv 2.1.0 with compiled ops; the wheel is kept in $WHEELS/<flags>/ for the next clone.
#    By default mmcv's C++ ops are compiled at -O1 without debug information: on a CPU the
#    Mask2Former path uses few of them (our own op does the deformable attention;
#    point_sample is PyTorch), and Python's default -g -O3 takes ~2x longer on 2 cores
#    (tests/utils/test_mmcv_ops_build.py checks the ops against a -g -O3 build's results).
#    M2F_MMCV_FULL_OPT=1 keeps Python's flags, for models that run mmcv's CPU ops (nms,
#    roi_align, deform_conv2d, ...) in their hot path (an installed mmcv is kept: to
#    rebuild, pip uninstall -y mmcv first). --no-cache-dir: pip's own cache may hold a
#    wheel built with other flags.
if [ "${M2F_MMCV_FULL_OPT:-0}" = 1 ]; then
  MMCV_FLAGS=""; MMCV_BUILD=full; MMCV_MINUTES=14
else
  MMCV_FLAGS="-O1 -g0"; MMCV_BUILD=O1; MMCV_MINUTES=8
fi
if ! "$PY" -c "import mmcv, mmcv._ext; assert mmcv.__version__=='2.1.0'" 2>/dev/null; then
  if ! ls "$WHEELS/$MMCV_BUILD"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
    say "compiling mmcv 2.1.0 with ops (${MMCV_FLAGS:--g -O3, Python default}): about $MMCV_MINUTES minutes on 2 cores, once per machine"
    CFLAGS="${CFLAGS:-} $MMCV_FLAGS" CXXFLAGS="${CXXFLAGS:-} $MMCV_FLAGS" MMCV_WITH_OPS=1 \
      "$PY" -m pip wheel --no-cache-dir --no-build-isolation --no-deps -w "$WHEELS/$MMCV_BUILD" mmcv==2.1.0 \
      || die "mmcv 2.1.0 failed to compile: install a C++ compiler (apt-get install g++) and retry"
  fi
  pip_ --force-reinstall --no-deps "$WHEELS/$MMCV_BUILD"/mmcv-2.1.0-*.whl
  pip_ "mmcv==2.1.0"   # its pure-Python dependencies (addict, yapf, ...)
fi

# 4. The rest of the stack and m2f_mm itself (editable, with the test and deploy extras: ONNX,
#    onnxscript, ONNX Runtime and OpenVINO for tools/deploy/; none of them pulls torch).
pip_ -e "$ROOT[tests,deploy]"
# mmseg 1.2.2 imports these without declaring them.
pip_ ftfy regex
# mmdet's CocoPanopticMetric needs the `panopticapi` module; panopticapi-lite pins numpy<2 in its
# metadata but works with numpy 2, hence --no-deps.
pip_ --no-deps panopticapi-lite

# 5. m2f_mm's CPU deformable-sampling op (about 30 s; cached in $CACHE/extensions per source
#    and torch build, so fresh clones of the same commit reuse it).
if ! M2F_CACHE=$CACHE "$PY" -c "
from m2f_mm.models.layers.deformable_sampling_cpu import built_library, load_op
import os, sys
if not os.path.exists(built_library()):
    print('[m2f_mm setup] compiling the CPU deformable-sampling op (about 30 s)')
sys.exit(load_op() is None)"; then
  die "the CPU deformable-sampling op failed to compile: install a C++ compiler (apt-get install g++) and retry"
fi

# 6. Verify, with a clear message for each failure.
"$PY" "$ROOT/tools/verify_env.py" --root "$ROOT"
say "done in $(( $(date +%s) - t0 )) s"
