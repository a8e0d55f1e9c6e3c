"""The Mask2Former head: queries, prediction heads and loss wiring."""
from .m2f_head import M2FHead
from .mask_predictions import MaskPredictions

__all__ = ['M2FHead', 'MaskPredictions']
