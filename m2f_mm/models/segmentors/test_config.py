"""Inference switches and thresholds shared by the mmdet- and mmseg-side models."""
from dataclasses import dataclass, fields
from typing import Optional


@dataclass(frozen=True)
class InferenceConfig:
    """What ``predict`` computes (``test_cfg`` in configs)."""

    #: fill ``pred_panoptic_seg``.
    panoptic_on: bool = True
    #: fill ``pred_instances``.
    instance_on: bool = False
    #: fill ``pred_sem_seg`` (and ``seg_logits``).
    semantic_on: bool = False
    #: panoptic: class-probability threshold of a kept query.
    object_mask_thr: float = 0.8
    #: panoptic: kept-area / own-mask-area threshold (mmdet calls it iou_thr).
    overlap_thr: float = 0.8
    #: instance: (query, class) pairs kept.
    max_per_image: int = 100

    @classmethod
    def from_cfg(cls, cfg: Optional[dict]) -> 'InferenceConfig':
        """Build from a config dict, refusing unknown keys."""
        cfg = dict(cfg or {})
        known = {f.name for f in fields(cls)}
        unknown = set(cfg) - known
        if unknown:
            raise KeyError(f'unknown test_cfg keys {sorted(unknown)}; '
                           f'known: {sorted(known)}')
        return cls(**cfg)
