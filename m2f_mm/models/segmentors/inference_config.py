"""Inference switches and thresholds shared by the mmdet- and mmseg-side faces."""
from dataclasses import dataclass, fields, replace
from typing import Iterable, Optional

#: The tasks one forward can be post-processed into.
TASKS = ('panoptic', 'instance', 'semantic')


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
    #: panoptic: won-area / own-mask-area threshold (mmdet calls it iou_thr).
    overlap_thr: float = 0.8
    #: instance: (query, class) pairs kept.
    max_per_image: int = 100

    @classmethod
    def from_cfg(cls, cfg: Optional[dict], *, defaults: Optional[dict] = None,
                 other_keys: Iterable[str] = ()) -> 'InferenceConfig':
        """Build from a config dict, refusing unknown keys.

        Args:
            cfg: ``test_cfg`` of a config (None: the defaults).
            defaults: field values that differ from the class defaults for
                this face (e.g. semantic on for the mmseg face).
            other_keys: keys read by someone else (mmseg's segmentor reads
                ``mode``, ``crop_size`` and ``stride`` of the same dict).
        """
        cfg = {k: v for k, v in dict(cfg or {}).items() if k not in other_keys}
        known = {f.name for f in fields(cls)}
        unknown = set(cfg) - known
        if unknown:
            raise KeyError(f'unknown test_cfg keys {sorted(unknown)}; '
                           f'known: {sorted(known | set(other_keys))}')
        return cls(**dict(defaults or {}, **cfg))

    @property
    def tasks(self) -> tuple:
        """The tasks switched on, in :data:`TASKS` order."""
        return tuple(task for task in TASKS if getattr(self, f'{task}_on'))

    def only(self, task: str) -> 'InferenceConfig':
        """The same thresholds with just ``task`` on (a per-call config)."""
        if task not in TASKS:
            raise ValueError(f'task must be one of {TASKS}, not {task!r}')
        return replace(self, **{f'{t}_on': t == task for t in TASKS})
