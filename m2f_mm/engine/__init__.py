"""Runner parts m2f_mm adds: a checkpoint hook that cannot lose work, a stop
at the first non-finite loss, checks that the class counts and a test
checkpoint fit the model, and data-loader workers that die with their
trainer."""
from .checkpoint_fit_hook import CheckpointFitHook
from .class_count_hook import ClassCountHook
from .finite_loss_hook import FiniteLossHook
from .m2f_checkpoint_hook import M2FCheckpointHook
from .worker_init import die_with_parent, worker_init_fn


def install_worker_init() -> None:
    """Make the Runner's data-loader workers die with the training process
    (the Runner's default worker init, wrapped; idempotent)."""
    from mmengine.runner import runner
    runner.default_worker_init_fn = worker_init_fn


__all__ = ['CheckpointFitHook', 'ClassCountHook', 'FiniteLossHook',
           'M2FCheckpointHook', 'die_with_parent', 'install_worker_init',
           'worker_init_fn']
