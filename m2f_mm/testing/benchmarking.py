"""What the benchmarks of ``tools/analysis/`` share: the machine's name,
timing, resident memory, and one model per worker process."""
import gc
import json
import platform
import subprocess
import sys
import time

import torch


def machine() -> str:
    """The processor, torch's thread count and torch's version, printed
    beside every figure."""
    return (f'{platform.processor() or platform.machine()}, '
            f'{torch.get_num_threads()} threads, torch {torch.__version__}')


def timed(fn, steps, warmup=1):
    """Mean seconds of ``fn()`` over ``steps`` calls after ``warmup``."""
    for _ in range(warmup):
        fn()
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - start) / steps


def resident_mib(field: str) -> float:
    """VmRSS or VmHWM (peak) of this process, MiB (Linux)."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f'{field} not in /proc/self/status')


def reset_peak_resident() -> None:
    """Start VmHWM again from the current RSS (Linux >= 4.0)."""
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')


def keep_one(built, name: str):
    """(model, inputs, samples) of the named model from ``(ours, mmdet's,
    inputs, samples)``, the other model released."""
    ours, ref, inputs, samples = built
    model = ours if name == 'm2f_mm' else ref
    del built, ours, ref
    gc.collect()
    return model, inputs, samples


def run_worker(name: str) -> dict:
    """The running script again, with the same arguments, as ``--worker
    name`` (one model per process, so peak memory is that model's); the
    JSON it prints last."""
    cmd = [sys.executable, sys.argv[0], '--worker', name] + sys.argv[1:]
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])
