"""Query heads: the Mask2Former head and its mmseg decode-head face."""
from .m2f_decode_head import M2FDecodeHead
from .m2f_head import M2FHead
from .mask_predictions import MaskPredictions

__all__ = ['M2FDecodeHead', 'M2FHead', 'MaskPredictions']
