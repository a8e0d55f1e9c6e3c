"""Datasets m2f_mm adds: the synthetic shapes scenes (real on-disk formats)
and the panoptic JSON layouts mmdet reads wrongly (Cityscapes, Mapillary)."""
from .panoptic_json import (CityscapesPanopticDataset, MapillaryPanopticDataset,
                            PanopticJsonDataset, things_first_metainfo)
from .synthetic_shapes import (CLASSES, PALETTE, STUFF_CLASSES, THING_CLASSES,
                               generate, make_scene)

__all__ = ['CLASSES', 'PALETTE', 'STUFF_CLASSES', 'THING_CLASSES', 'generate',
           'make_scene', 'CityscapesPanopticDataset', 'MapillaryPanopticDataset',
           'PanopticJsonDataset', 'things_first_metainfo']
