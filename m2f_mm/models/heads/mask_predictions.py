"""The typed output of the Mask2Former head."""
from dataclasses import dataclass
from typing import List, Optional

from torch import Tensor


@dataclass
class MaskPredictions:
    """Class and mask predictions of every prediction set, first to last.

    Set 0 comes from the learnable queries alone, set i from decoder layer i;
    the last set is the model's answer.
    """

    #: L tensors (B, Q, K+1), no-object last.
    class_logits: List[Tensor]
    #: L tensors (B, Q, H/4, W/4), or mask tubes (B, Q, T, H/4, W/4) for
    #: clips; at inference (``all_sets=False``) None but the last.
    mask_logits: List[Optional[Tensor]]
    #: (B, Q, C) the queries the last set was predicted from (after the
    #: decoder's final norm): what links a query across video windows.
    final_queries: Optional[Tensor] = None

    @property
    def final_class_logits(self) -> Tensor:
        """(B, Q, K+1) of the last set."""
        return self.class_logits[-1]

    @property
    def final_mask_logits(self) -> Tensor:
        """(B, Q, H/4, W/4) of the last set."""
        return self.mask_logits[-1]
