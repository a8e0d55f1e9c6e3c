"""Pure loss math (functional) and the set loss module."""
from . import functional
from .mask_set_loss import MaskSetLoss

__all__ = ['functional', 'MaskSetLoss']
