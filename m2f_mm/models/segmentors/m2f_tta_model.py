"""Test-time augmentation (flip + multi-scale) for all three tasks, merged
at the query level: the same query slot across views is one prediction."""
from dataclasses import replace
from typing import List, Tuple

import torch
from mmengine.model import BaseTTAModel
from mmengine.structures import InstanceData, PixelData
from torch import Tensor

from m2f_mm.registry import MODELS
from ..postprocess.instance import instance_inference
from ..postprocess.instance_merge import merge_view_instances
from ..postprocess.query_masks import QueryMasks, resize_masks
from ..postprocess.semantic import semantic_from_probs
from .model_face import is_mmdet_side, model_face


def unflip(maps: Tensor, meta: dict) -> Tensor:
    """(..., H, W) maps of a flipped view back in the image's orientation."""
    if not meta.get('flip', False):
        return maps
    direction = meta.get('flip_direction') or 'horizontal'
    dims = dict(horizontal=[-1], vertical=[-2], diagonal=[-2, -1])
    if direction not in dims:
        raise ValueError(f'flip_direction {direction!r} is not one of '
                         f'{sorted(dims)}')
    return maps.flip(dims[direction])


def merge_views(views: List[Tuple[Tensor, Tensor]]) -> Tuple[Tensor, Tensor]:
    """One image's views -> (class_logits (Q, K+1), mask_logits (Q, H, W)).

    Args:
        views: per view (class_logits (Q, K+1), mask_logits (Q, H, W)), the
            masks already at the original size and orientation.

    Returns:
        the log of the mean class probabilities (so that post-processing's
        softmax gives that mean) and the mean mask logits.
    """
    probs = torch.stack([c.softmax(-1) for c, _ in views]).mean(0)
    masks = torch.stack([m for _, m in views]).mean(0)
    return probs.log(), masks


@MODELS.register_module()
class M2FTTAModel(BaseTTAModel):
    """Runs the model on every view of ``tta_pipeline`` (``TestTimeAug``:
    scales x flips) and merges the final prediction set across views per
    query: class probabilities averaged, mask logits averaged after each
    view's masks are resized to the original image and un-flipped. The
    merged set is then post-processed as one view would be, so panoptic,
    instance and semantic outputs all come from it (the model's
    ``test_cfg``); on mmseg's side the semantic scores are the class-weighted
    mask probabilities, as without TTA.

    Queries are learned slots, and the same slot predicts the same segment
    across flips and nearby scales (measured on the quickstart val split:
    README, "Test-time augmentation").

    Args:
        module: the model config (``M2FDetector``, or mmseg's
            ``EncoderDecoder`` with ``M2FDecodeHead``); ``tools/test.py
            --tta`` fills it in.
        semantic_merge: ``'query'`` (default): the semantic scores of the
            merged set; ``'scores'``: the mean of each view's semantic scores
            (the official code's semantic TTA), panoptic and instance
            outputs still from the merged set.
        instance_merge: ``'query'`` (default): the instances of the merged
            set; ``'segments'``: every view's instances pooled, duplicates
            of one class dropped by mask IoU > 0.5
            (:func:`merge_view_instances`), the others still from the merged
            set (mmdet's side only).
        data_preprocessor: as mmengine's ``BaseTTAModel``.
    """

    def __init__(self, module: dict, semantic_merge: str = 'query',
                 instance_merge: str = 'query',
                 data_preprocessor=None) -> None:
        super().__init__(module=module, data_preprocessor=data_preprocessor)
        if semantic_merge not in ('query', 'scores'):
            raise ValueError(f"semantic_merge={semantic_merge!r}: 'query' or "
                             "'scores'")
        if instance_merge not in ('query', 'segments'):
            raise ValueError(f"instance_merge={instance_merge!r}: 'query' or "
                             "'segments'")
        self.semantic_merge = semantic_merge
        self.instance_merge = instance_merge

    def test_step(self, data) -> list:
        """Views of a batch (lists, one entry per view) -> merged samples."""
        num_views = len(data['inputs'])
        views = [{key: value[i] for key, value in data.items()}
                 for i in range(num_views)]
        face = model_face(self.module)
        per_image = None
        for view in views:
            view = self.module.data_preprocessor(view, False)
            inputs, samples = view['inputs'], view['data_samples']
            preds = face.head(self.module.extract_feat(inputs), all_sets=False)
            pad_size = tuple(inputs.shape[-2:])
            if per_image is None:
                per_image = [[] for _ in samples]
                first_samples = samples
            for b, sample in enumerate(samples):
                meta = sample.metainfo
                masks = resize_masks(preds.final_mask_logits[b], pad_size,
                                     meta['img_shape'][:2],
                                     meta['ori_shape'][:2])
                per_image[b].append((preds.final_class_logits[b],
                                     unflip(masks, meta)))
        return [self._merge_image(face, sample, views_of_image)
                for sample, views_of_image in zip(first_samples, per_image)]

    def _merge_image(self, face, sample, views: List[Tuple[Tensor, Tensor]]):
        """One image's outputs from its views, each task computed once: from
        the merged query set, or from the views where a merge option asks."""
        class_logits, mask_logits = merge_views(views)
        by_scores = self.semantic_merge == 'scores'
        by_segments = self.instance_merge == 'segments'
        if is_mmdet_side(face):
            cfg = face.infer_cfg
            size = tuple(mask_logits.shape[-2:])
            face.fill_predictions(
                sample, class_logits, QueryMasks(mask_logits, size, size),
                replace(cfg, semantic_on=cfg.semantic_on and not by_scores,
                        instance_on=cfg.instance_on and not by_segments))
            semantic_left = cfg.semantic_on and by_scores
            if cfg.instance_on and by_segments:
                merged = merge_view_instances(
                    [instance_inference(c, m, face.num_things,
                                        cfg.max_per_image) for c, m in views],
                    max_per_image=cfg.max_per_image)
                sample.pred_instances = InstanceData(
                    scores=merged[0], labels=merged[1], masks=merged[2],
                    bboxes=merged[3])
        else:  # mmseg's side: semantic only
            semantic_left = True
        if semantic_left:
            score_views = views if by_scores else [(class_logits, mask_logits)]
            seg_logits = torch.stack([  # (K, H, W) per view, averaged
                semantic_from_probs(c, m.sigmoid())
                for c, m in score_views]).mean(0)
            self._set_semantic(face, sample, seg_logits)
        return sample

    @staticmethod
    def _set_semantic(face, sample, seg_logits: Tensor) -> None:
        """``seg_logits`` (K, H, W) and its argmax, in the face's fields."""
        sample.seg_logits = PixelData(data=seg_logits)
        label = seg_logits.argmax(0, keepdim=True)
        sample.pred_sem_seg = (PixelData(sem_seg=label) if is_mmdet_side(face)
                               else PixelData(data=label))

    def merge_preds(self, data_samples_list):
        """Unused: :meth:`test_step` merges the raw predictions itself."""
        raise NotImplementedError('M2FTTAModel merges in test_step')
