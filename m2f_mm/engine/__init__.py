"""Runner parts m2f_mm adds: a checkpoint hook that cannot lose work, a stop
at the first non-finite loss, checks that the class counts and a test
checkpoint fit the model (data-loader workers that die with their trainer:
``m2f_mm.utils.worker_init``)."""
from .checkpoint_fit_hook import CheckpointFitHook
from .class_count_hook import ClassCountHook
from .cpu_autocast_optim_wrapper import CPUAutocastOptimWrapper
from .finite_loss_hook import FiniteLossHook
from .m2f_checkpoint_hook import M2FCheckpointHook
from .mmdet_checkpoint_keys_hook import MMDetCheckpointKeysHook
from .preemption_hook import PREEMPTED_EXIT_CODE, PreemptionHook
from .rank_watch_hook import SILENT_RANK_EXIT_CODE, RankWatchHook

__all__ = ['CheckpointFitHook', 'ClassCountHook', 'CPUAutocastOptimWrapper', 'FiniteLossHook',
           'M2FCheckpointHook', 'MMDetCheckpointKeysHook', 'PreemptionHook',
           'PREEMPTED_EXIT_CODE', 'RankWatchHook', 'SILENT_RANK_EXIT_CODE']
