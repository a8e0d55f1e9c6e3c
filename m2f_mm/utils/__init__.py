"""Small utilities: checkpoint safety under torch >= 2.6."""
from .checkpoint import UnsafeCheckpointError, install_safe_checkpoints

__all__ = ['UnsafeCheckpointError', 'install_safe_checkpoints']
