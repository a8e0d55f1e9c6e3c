"""Preemption and requeue: a signal (Slurm's ``--signal=USR1@SECONDS``
before the time limit, ``scancel``, preemption's SIGTERM) stops training at
the next iteration boundary with a checkpoint, and a Slurm batch job
requeues itself."""
import os
import signal
import subprocess

import torch
from mmengine.dist import (all_reduce, barrier, get_comm_device,
                           get_world_size, is_main_process)
from mmengine.hooks import Hook

from m2f_mm.registry import HOOKS
from .m2f_checkpoint_hook import M2FCheckpointHook

#: The exit code of a preempted run whose checkpoint is written (sysexits'
#: EX_TEMPFAIL: try again); rerun with ``--resume``.
PREEMPTED_EXIT_CODE = 75


@HOOKS.register_module()
class PreemptionHook(Hook):
    """Stop training cleanly on a signal, and requeue a Slurm batch job.

    While training, the handlers of ``signals`` only set a flag. At the next
    iteration boundary (after a training iteration, or after a validation
    iteration) the ranks agree on the flag (a max over processes: one rank
    signalled stops them all at the same iteration), the
    :class:`M2FCheckpointHook` writes a checkpoint atomically (every rank's
    random state included), and every process exits with
    :data:`PREEMPTED_EXIT_CODE`. A signal during validation writes the
    training state and marks the validation as pending: the resumed run
    validates again before its next iteration. Inside a Slurm batch job
    (``SLURM_JOB_ID`` set, ``requeue=True``), rank 0 first calls ``scontrol
    requeue``: the job goes back to the queue and its script, run again,
    resumes from the checkpoint (``tools/slurm_train.sh`` adds ``--resume``
    when ``SLURM_RESTART_COUNT`` says the job was requeued). A second signal
    only sets the flag again: the save is never interrupted.

    Args:
        signals: names of the signals that stop the run.
        requeue: call ``scontrol requeue`` in a Slurm batch job.
    """

    priority = 'LOWEST'  # after the interval checkpoint of the same iteration

    def __init__(self, signals=('SIGUSR1', 'SIGTERM'), requeue: bool = True):
        self.signals = tuple(getattr(signal, name) for name in signals)
        self.requeue = requeue
        self.received = None  # the signal number, once one came
        self._previous = {}
        self._pending_val = False

    def _handler(self, signum, frame) -> None:
        self.received = signum

    def before_train(self, runner) -> None:
        for signum in self.signals:
            self._previous[signum] = signal.signal(signum, self._handler)
        if self._pending_val and runner.val_loop is not None:
            runner.logger.info('validation interrupted by the preemption: '
                               'validating again before training resumes')
            runner.val_loop.run()
        self._pending_val = False

    def after_train(self, runner) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        preempted = checkpoint.get('meta', {}).get('preempted') or {}
        self._pending_val = bool(preempted.get('pending_val')) and \
            bool(runner._resume)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        signum = self._signal_received()
        if signum:
            self._checkpoint_and_exit(runner, runner.iter + 1, signum, False)

    def after_val_iter(self, runner, batch_idx: int, data_batch=None,
                       outputs=None) -> None:
        # validation inside training only (tools/test.py installs nothing)
        signum = self._signal_received() if self._previous else 0
        if signum:
            self._checkpoint_and_exit(runner, runner.iter, signum, True)

    def _signal_received(self) -> int:
        """The signal any process received (the largest number), 0 for
        none: the same answer on every rank."""
        flag = torch.tensor([self.received or 0], dtype=torch.int64,
                            device=get_comm_device())
        if get_world_size() > 1:
            all_reduce(flag, op='max')
        return int(flag.item())

    def _checkpoint_and_exit(self, runner, step: int, signum: int,
                             pending_val: bool):
        hooks = [h for h in runner.hooks if isinstance(h, M2FCheckpointHook)]
        if not hooks:
            raise RuntimeError('PreemptionHook needs the M2FCheckpointHook '
                               '(default_hooks.checkpoint) to write its '
                               'checkpoint')
        name = signal.Signals(signum).name
        runner.logger.warning(
            f'{name}: stopping at iteration {step}'
            f'{" (in validation)" if pending_val else ""}; writing a '
            'checkpoint to resume from')
        meta = dict(epoch=runner.epoch, iter=step,
                    preempted=dict(signal=name, pending_val=pending_val))
        hooks[0]._save_checkpoint_with_step(runner, step, meta)
        barrier()
        job = os.environ.get('SLURM_JOB_ID')
        if is_main_process():
            if self.requeue and job:
                runner.logger.warning(f'requeueing Slurm job {job}')
                done = subprocess.run(['scontrol', 'requeue', job],
                                      capture_output=True, text=True)
                if done.returncode:
                    runner.logger.warning(
                        f'scontrol requeue {job} failed ({done.stderr.strip()}'
                        '): only batch jobs requeue; rerun with --resume')
            else:
                runner.logger.warning(
                    f'checkpoint written; exiting with '
                    f'{PREEMPTED_EXIT_CODE}: rerun with --resume')
        raise SystemExit(PREEMPTED_EXIT_CODE)
