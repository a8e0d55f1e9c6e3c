"""Datasets m2f_mm adds: the synthetic shapes scenes (real on-disk formats)
and the panoptic JSON layouts mmdet reads wrongly (Cityscapes, Mapillary)."""
from . import transforms  # noqa: F401  (registers)
from .dataset_class import dataset_class, train_dataset_classes
from .m2f_coco_panoptic_dataset import M2FCocoPanopticDataset
from .panoptic_json import (CityscapesPanopticDataset, MapillaryPanopticDataset,
                            PanopticJsonDataset, things_first_metainfo)
from .synthetic_shapes import (CLASSES, PALETTE, STUFF_CLASSES, THING_CLASSES,
                               generate, make_scene)

__all__ = ['M2FCocoPanopticDataset', 'CLASSES', 'PALETTE', 'STUFF_CLASSES',
           'THING_CLASSES', 'generate',
           'make_scene', 'CityscapesPanopticDataset', 'MapillaryPanopticDataset',
           'PanopticJsonDataset', 'things_first_metainfo', 'dataset_class',
           'train_dataset_classes']
