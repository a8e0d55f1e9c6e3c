"""The mmdet-side Mask2Former: backbone -> head -> panoptic/instance/semantic
post-processing, returning ``DetDataSample``s as mmdet's models do."""
from typing import Dict, List, Optional, Tuple

import torch
from mmdet.models.detectors.base import BaseDetector
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData, PixelData
from torch import Tensor

from m2f_mm.registry import MODELS
from ..postprocess import (QueryMasks, instance_inference,
                           panoptic_inference, semantic_from_probs)
from .inference_config import TASKS, InferenceConfig
from .targets import image_targets


@MODELS.register_module()
class M2FDetector(BaseDetector):
    """Mask2Former for mmdet datasets and metrics (COCO panoptic / instance).

    All three tasks come from one forward; ``test_cfg`` (or a per-call
    :class:`InferenceConfig` given to ``predict``) says which are filled in.

    Args:
        backbone: backbone config (e.g. ``mmdet.ResNet``).
        head: ``M2FHead`` config (``num_classes`` filled in).
        num_things_classes: thing classes, labels ``[0, things)``.
        num_stuff_classes: stuff classes, labels ``[things, things + stuff)``.
        neck: optional neck config between backbone and head.
        ignore_index: ``gt_sem_seg`` label of unlabelled and padded pixels
            (the data preprocessor's ``seg_pad_value``).
        test_cfg: :class:`InferenceConfig` fields.
        channels_last: give the backbone its input in channels-last memory
            format, which every convolution then keeps (oneDNN's preferred
            layout on CPU: see the backbone stage of
            ``tools/analysis/benchmark.py --stages``); features equal up to
            float rounding (~5e-7).
        data_preprocessor: e.g. ``mmdet.DetDataPreprocessor`` padding masks
            with 0 and semantic maps with 255.
        init_cfg: mmengine init config.
    """

    def __init__(self, *, backbone: dict, head: dict, num_things_classes: int,
                 num_stuff_classes: int = 0, neck: Optional[dict] = None,
                 ignore_index: int = 255, test_cfg: Optional[dict] = None,
                 channels_last: bool = True,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.num_things = num_things_classes
        self.num_classes = num_things_classes + num_stuff_classes
        self.ignore_index = ignore_index
        self.head = MODELS.build(dict(head, num_classes=self.num_classes))
        self.infer_cfg = InferenceConfig.from_cfg(test_cfg)
        self.channels_last = channels_last

    #: every task comes from the one forward.
    supported_tasks = TASKS

    def extract_feat(self, batch_inputs: Tensor) -> Tuple[Tensor, ...]:
        """(B, 3, H, W) -> backbone (and neck) maps, highest resolution first."""
        if self.channels_last:
            batch_inputs = batch_inputs.contiguous(
                memory_format=torch.channels_last)
        feats = self.backbone(batch_inputs)
        return self.neck(feats) if self.neck is not None else feats

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: List[DetDataSample]) -> Dict[str, Tensor]:
        """Set losses of all prediction sets."""
        feats = self.extract_feat(batch_inputs)
        targets = [image_targets(s, num_things=self.num_things,
                                 num_classes=self.num_classes,
                                 ignore_index=self.ignore_index,
                                 device=batch_inputs.device)
                   for s in batch_data_samples]
        return self.head.loss(feats, [t[0] for t in targets],
                              [t[1] for t in targets])

    def _forward(self, batch_inputs: Tensor, batch_data_samples=None):
        """Raw per-set class and mask logits."""
        preds = self.head(self.extract_feat(batch_inputs))
        return preds.class_logits, preds.mask_logits

    def predict(self, batch_inputs: Tensor,
                batch_data_samples: List[DetDataSample],
                rescale: bool = True,
                infer_cfg: Optional[InferenceConfig] = None
                ) -> List[DetDataSample]:
        """Fill ``pred_panoptic_seg`` / ``pred_instances`` / ``pred_sem_seg``
        as ``infer_cfg`` (default: ``test_cfg``) asks, at the original image
        size when ``rescale``."""
        preds = self.head(self.extract_feat(batch_inputs), all_sets=False)
        cfg = infer_cfg or self.infer_cfg
        pad_size = batch_data_samples[0].metainfo['batch_input_shape']
        for class_logits, low_res, sample in zip(
                preds.final_class_logits, preds.final_mask_logits,
                batch_data_samples):
            # (Q, H, W) at the original size when rescale, resized on demand:
            # only the queries a task keeps (all for semantic, last)
            mask_logits = QueryMasks(
                low_res, pad_size, sample.metainfo['img_shape'][:2],
                sample.metainfo['ori_shape'][:2] if rescale else None)
            self.fill_predictions(sample, class_logits, mask_logits, cfg)
        return batch_data_samples

    def fill_predictions(self, sample: DetDataSample, class_logits: Tensor,
                         mask_logits, cfg: InferenceConfig) -> DetDataSample:
        """Post-process one image's final set into ``sample``.

        Args:
            sample: filled in place (and returned).
            class_logits: (Q, K+1).
            mask_logits: (Q, H, W) at the output size: a tensor or a
                :class:`QueryMasks` (which resizes the queries asked for).
            cfg: which tasks, and their thresholds.
        """
        if cfg.panoptic_on:
            panoptic = panoptic_inference(class_logits, mask_logits,
                                          self.num_things, cfg.object_mask_thr,
                                          cfg.overlap_thr)
            sample.pred_panoptic_seg = PixelData(sem_seg=panoptic[None])
        if cfg.instance_on:
            scores, labels, masks, bboxes = instance_inference(
                class_logits, mask_logits, self.num_things, cfg.max_per_image)
            sample.pred_instances = InstanceData(
                scores=scores, labels=labels, masks=masks, bboxes=bboxes)
        if cfg.semantic_on:
            # last and alone: every query's full-size map at once
            probs = (mask_logits.all_probs() if isinstance(
                mask_logits, QueryMasks) else mask_logits.sigmoid())
            seg_logits = semantic_from_probs(class_logits, probs)
            sample.seg_logits = PixelData(data=seg_logits)
            sample.pred_sem_seg = PixelData(
                sem_seg=seg_logits.argmax(0, keepdim=True))
        return sample
