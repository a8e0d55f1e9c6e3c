"""Small utilities: safe checkpoints under torch >= 2.6 (checkpoint.py), the
command-line pieces of tools/train.py and tools/test.py (cli.py), and the
COCO-panoptic PNG id encoding (panoptic_png.py), and the OpenMMLab
``register_all_modules`` (setup_env.py)."""
from .checkpoint import (CheckpointMismatchError, CorruptCheckpointError,
                         UnsafeCheckpointError, check_fits,
                         install_safe_checkpoints)
from .setup_env import register_all_modules

__all__ = ['CheckpointMismatchError', 'CorruptCheckpointError',
           'UnsafeCheckpointError', 'check_fits', 'install_safe_checkpoints',
           'register_all_modules']
