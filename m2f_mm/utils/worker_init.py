"""Data-loader workers that die with their trainer.

A worker is a child process of the training process; when that process is
killed (SIGKILL: OOM killer, a cluster's preemption, ``kill -9``), Python's
own clean-up never runs and the workers live on, holding memory and files.
On Linux the kernel can signal a child when its parent dies: every worker
asks for SIGKILL then. :func:`install_worker_lifeline` makes this the
Runner's default worker init (part of ``register_all_modules``).
"""
import ctypes
import os
import signal
import sys

from mmengine.dataset import worker_init_fn as mmengine_worker_init_fn

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent exits (Linux;
    elsewhere nothing), and exit now if the parent is already gone."""
    if not sys.platform.startswith('linux'):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
        return  # not permitted: keep the old behaviour
    if os.getppid() != parent:  # the parent died before the request
        os._exit(1)


def worker_init_fn(worker_id: int, *args, **kwargs) -> None:
    """mmengine's worker seeding, after :func:`die_with_parent`."""
    die_with_parent()
    mmengine_worker_init_fn(worker_id, *args, **kwargs)


def install_worker_lifeline() -> None:
    """Make every Runner's data-loader workers die with their trainer: the
    Runner's default worker init becomes :func:`worker_init_fn` (idempotent;
    a global change of mmengine, made by ``register_all_modules``)."""
    from mmengine.runner import runner
    runner.default_worker_init_fn = worker_init_fn
