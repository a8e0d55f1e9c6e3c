"""The mmseg-side face: the Mask2Former head as a decode head of mmseg's
``EncoderDecoder`` (semantic segmentation)."""
from typing import Dict, List, Optional, Sequence

import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from m2f_mm.registry import MODELS
from ..postprocess import semantic_inference
from .inference_config import InferenceConfig
from .targets import image_targets

#: ``test_cfg`` keys that mmseg's ``EncoderDecoder`` reads itself.
SEGMENTOR_TEST_KEYS = ('mode', 'crop_size', 'stride')
#: what the semantic face computes unless ``test_cfg`` says otherwise.
SEMANTIC_DEFAULTS = dict(panoptic_on=False, instance_on=False,
                         semantic_on=True)


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

    #: a semantic model: one mask per class, no instances.
    supported_tasks = ('semantic', )
    num_things = 0

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
        targets = [image_targets(s, num_things=0, num_classes=self.num_classes,
                                 ignore_index=self.ignore_index,
                                 device=inputs[0].device)
                   for s in batch_data_samples]
        return self.head.loss(inputs, [t[0] for t in targets],
                              [t[1] for t in targets])

    @staticmethod
    def inference_config(test_cfg: Optional[dict]) -> InferenceConfig:
        """The segmentor's ``test_cfg`` read as ours: unknown keys are
        refused as on the mmdet face, and so is asking a semantic model for
        panoptic or instance outputs."""
        cfg = InferenceConfig.from_cfg(test_cfg, defaults=SEMANTIC_DEFAULTS,
                                       other_keys=SEGMENTOR_TEST_KEYS)
        if cfg.tasks != ('semantic', ):
            raise ValueError(
                f'test_cfg asks for {list(cfg.tasks)}: a semantic model '
                '(mmseg EncoderDecoder + M2FDecodeHead) gives semantic '
                'outputs only; use an M2FDetector config for panoptic or '
                'instance outputs')
        return cfg

    def predict(self, inputs: Sequence[Tensor], batch_img_metas: List[dict],
                test_cfg=None) -> Tensor:
        """(B, K, H_pad, W_pad) semantic scores; in slide mode (B, K,
        h, w) of the window."""
        self.inference_config(test_cfg)
        preds = self.head(inputs, all_sets=False)
        meta = batch_img_metas[0]
        if test_cfg is not None and test_cfg.get('mode') == 'slide':
            # a window: mmseg sets img_shape to the window's size, while
            # pad_shape stays the whole padded image's
            size = meta['img_shape'][:2]
        else:
            size = meta.get('pad_shape', meta['img_shape'])[:2]
        mask_logits = F.interpolate(preds.final_mask_logits, size=size,
                                    mode='bilinear', align_corners=False)
        return semantic_inference(preds.final_class_logits, mask_logits)
