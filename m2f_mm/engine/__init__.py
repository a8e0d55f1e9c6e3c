"""Runner parts m2f_mm adds: a checkpoint hook that cannot lose work."""
from .m2f_checkpoint_hook import M2FCheckpointHook

__all__ = ['M2FCheckpointHook']
