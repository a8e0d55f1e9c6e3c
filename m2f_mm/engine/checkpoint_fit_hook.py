"""Refuse, at test time, a checkpoint that does not fit the config's model."""
from mmengine.hooks import Hook

from m2f_mm.models.segmentors import unwrap
from m2f_mm.registry import HOOKS
from m2f_mm.utils.checkpoint import check_fits


@HOOKS.register_module()
class CheckpointFitHook(Hook):
    """Checks every checkpoint the Runner loads against its model before the
    weights go in (``tools/test.py`` adds it unless ``--non-strict``).

    Args:
        checkpoint: the checkpoint's name, and
        config: the config's, for the error message.
    """

    def __init__(self, checkpoint: str = '', config: str = '') -> None:
        self.checkpoint = checkpoint
        self.config = config

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        check_fits(unwrap(runner.model), checkpoint,
                   self.checkpoint or 'the checkpoint', self.config)
