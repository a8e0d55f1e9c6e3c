"""The Mask2Former head as a decode head of mmseg's ``EncoderDecoder``."""
from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from m2f_mm.registry import MODELS
from ..postprocess import semantic_inference


def semantic_targets(sem_seg: Tensor, ignore_index: int
                     ) -> Tuple[Tensor, Tensor]:
    """One mask per class present in a label map.

    Args:
        sem_seg: (1, H, W) or (H, W) labels, ``ignore_index`` ignored.

    Returns:
        labels (M,) sorted, masks (M, H, W) bool.
    """
    sem_seg = sem_seg.reshape(sem_seg.shape[-2:])
    labels = torch.unique(sem_seg)
    labels = labels[labels != ignore_index]
    return labels.long(), sem_seg[None] == labels[:, None, None]


@MODELS.register_module()
class M2FDecodeHead(BaseModule):
    """``M2FHead`` behind mmseg's decode-head interface (``loss``/``predict``).

    Use as ``decode_head=dict(type='m2f_mm.M2FDecodeHead', ...)`` inside
    ``mmseg.EncoderDecoder``; ``predict`` returns semantic scores
    ``sum_q p_q(c) sigmoid(m_q)`` at the padded input size, which
    ``EncoderDecoder`` crops and resizes.

    Args:
        num_classes: K semantic classes.
        head: ``M2FHead`` config (``num_classes`` filled in).
        ignore_index: label ignored in ``gt_sem_seg`` (255).
        align_corners: read by ``EncoderDecoder`` when resizing (False).
        init_cfg: mmengine init config.
    """

    def __init__(self, *, num_classes: int, head: dict,
                 ignore_index: int = 255, align_corners: bool = False,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.out_channels = num_classes
        self.ignore_index = ignore_index
        self.align_corners = align_corners
        self.head = MODELS.build(dict(head, num_classes=num_classes))

    def loss(self, inputs: Sequence[Tensor], batch_data_samples: List,
             train_cfg=None) -> Dict[str, Tensor]:
        """Set losses; targets are the per-class masks of ``gt_sem_seg``."""
        targets = [semantic_targets(s.gt_sem_seg.data, self.ignore_index)
                   for s in batch_data_samples]
        return self.head.loss(inputs, [t[0] for t in targets],
                              [t[1] for t in targets])

    def predict(self, inputs: Sequence[Tensor], batch_img_metas: List[dict],
                test_cfg=None) -> Tensor:
        """(B, K, H_pad, W_pad) semantic scores."""
        preds = self.head(inputs)
        meta = batch_img_metas[0]
        size = meta.get('pad_shape', meta['img_shape'])[:2]
        mask_logits = F.interpolate(preds.final_mask_logits, size=size,
                                    mode='bilinear', align_corners=False)
        return semantic_inference(preds.final_class_logits, mask_logits)
