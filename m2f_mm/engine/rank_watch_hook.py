"""Fail fast on a rank that stops (SIGSTOP, a hung node) or dies: the job
exits within the configured timeout, naming the rank, instead of waiting
for the collective timeout's default half hour."""
import os
import socket
import sys
import threading
import time

from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook

from m2f_mm.registry import HOOKS

#: The exit code of a process that stopped the job because a rank went
#: silent.
SILENT_RANK_EXIT_CODE = 70

PREFIX = 'm2f_mm_rank_watch'


def node_name() -> str:
    """The Slurm node name (several nodes may share a host name), else the
    host name."""
    return os.environ.get('SLURMD_NODENAME') or socket.gethostname()


class RankWatch:
    """Heartbeats through the process group's store, watched by threads.

    Every rank increments its counter in the store every ``interval``
    seconds (a thread: it beats while the main thread computes, waits in a
    collective or validates; it stops when the process is stopped or dead).
    Rank 0, which hosts the store, watches every counter; the other ranks
    watch that their beats reach the store. A rank silent for ``timeout``
    seconds makes the watching process print who went silent and exit with
    :data:`SILENT_RANK_EXIT_CODE`; the launcher (torchrun, srun
    ``--kill-on-bad-exit``) then stops the others.
    """

    def __init__(self, store, rank: int, world: int, timeout: float,
                 interval: float = None, exit=os._exit):
        self.store, self.rank, self.world = store, rank, world
        self.timeout = float(timeout)
        self.interval = interval or min(5.0, max(0.5, self.timeout / 10))
        self._exit = exit
        self._stop = threading.Event()
        self._last_contact = time.monotonic()
        self._changed = {}
        store.set(f'{PREFIX}/who/{rank}', f'{node_name()}, pid {os.getpid()}')
        self._threads = [threading.Thread(target=self._beat, daemon=True),
                         threading.Thread(target=self._watch, daemon=True)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.store.add(f'{PREFIX}/beat/{self.rank}', 1)
            except Exception:  # the store's host is gone: the watch says so
                continue
            self._last_contact = time.monotonic()

    def _who(self, rank: int) -> str:
        try:
            return self.store.get(f'{PREFIX}/who/{rank}').decode()
        except Exception:
            return 'unknown node'

    def _silent(self, rank: int, seconds: float, detail: str) -> None:
        print(f'[m2f_mm rank watch, rank {self.rank}] rank {rank} '
              f'({detail}) has been silent for {seconds:.0f} s (limit: '
              'env_cfg.dist_cfg.timeout = '
              f'{self.timeout:g} s): it is stopped, hung or dead; stopping '
              'the job', file=sys.stderr, flush=True)
        self._exit(SILENT_RANK_EXIT_CODE)

    def silences(self) -> dict:
        """{rank: seconds since its last beat} of the ranks this process
        watches (rank 0: every other rank; the others: rank 0, the store's
        host)."""
        now = time.monotonic()
        if self.rank != 0:
            return {0: now - self._last_contact}
        return {peer: now - when for peer, when in self._changed.items()}

    def stop_if_silent(self, limit: float) -> None:
        """Name the longest silent rank and exit if it has been silent for
        more than ``limit`` seconds."""
        silences = self.silences()
        if silences:
            rank = max(silences, key=silences.get)
            if silences[rank] > limit:
                detail = self._who(rank) if self.rank == 0 else (
                    'it hosts the store at '
                    f'{os.environ.get("MASTER_ADDR", "?")}')
                self._silent(rank, silences[rank], detail)

    def _watch(self) -> None:
        counts = {}  # rank -> its last beat count (self._changed: when)
        while not self._stop.wait(self.interval):
            now = time.monotonic()
            for peer in range(1, self.world) if self.rank == 0 else ():
                try:
                    count = int(self.store.add(f'{PREFIX}/beat/{peer}', 0))
                except Exception:
                    continue
                if counts.get(peer) != count:
                    counts[peer], self._changed[peer] = count, now
            self.stop_if_silent(self.timeout)


@HOOKS.register_module()
class RankWatchHook(Hook):
    """Starts a :class:`RankWatch` for the run when several processes train
    or test, with ``env_cfg.dist_cfg.timeout`` (seconds) as the limit."""

    priority = 'VERY_HIGH'

    def __init__(self, timeout: float = None):
        self.timeout = timeout
        self.watch = None

    def before_run(self, runner) -> None:
        import torch.distributed as dist
        from mmengine.dist import all_gather_object
        if get_world_size() < 2:
            return
        nodes = all_gather_object(node_name())  # rank order
        timeout = self.timeout or runner.cfg.get('env_cfg', {}).get(
            'dist_cfg', {}).get('timeout') or 1800
        store = dist.distributed_c10d._get_default_store()
        self.watch = RankWatch(store, get_rank(), get_world_size(), timeout)
        runner.logger.info(
            f'world size {len(nodes)}: ' + ', '.join(
                f'rank {rank} on {node}' for rank, node in enumerate(nodes)) +
            f'; rendezvous at {os.environ.get("MASTER_ADDR", "?")}:'
            f'{os.environ.get("MASTER_PORT", "?")}; a rank silent for '
            f'{timeout:g} s stops the job')

    def after_run(self, runner) -> None:
        if self.watch is not None:
            self.watch.stop()
            self.watch = None


def train_watched(runner):
    """``runner.train()``; where it fails in a collective because a rank
    went silent (the collective timeout, equal to the watch's limit, can
    fire first), the silent rank is named before the process exits."""
    try:
        return runner.train()
    except Exception:
        hooks = [h for h in runner.hooks if isinstance(h, RankWatchHook)]
        if hooks and hooks[0].watch is not None:
            watch = hooks[0].watch
            watch.stop_if_silent(3 * watch.interval)
        raise
