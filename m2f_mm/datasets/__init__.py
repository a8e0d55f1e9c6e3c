"""Datasets m2f_mm adds: the synthetic shapes scenes and moving-shapes videos
(real on-disk formats), the panoptic JSON layouts mmdet reads wrongly
(Cityscapes, Mapillary), and YouTube-VIS JSONs read as distributed."""
from . import transforms  # noqa: F401  (registers)
from .dataset_class import dataset_class, train_dataset_classes
from .m2f_coco_panoptic_dataset import M2FCocoPanopticDataset
from .panoptic_json import (CityscapesPanopticDataset, MapillaryPanopticDataset,
                            PanopticJsonDataset, things_first_metainfo)
from .synthetic_shapes import (CLASSES, PALETTE, STUFF_CLASSES, THING_CLASSES,
                               generate, make_scene)
from .synthetic_videos import generate_videos, make_video
from .youtube_vis_json_dataset import YouTubeVISJsonDataset

__all__ = ['M2FCocoPanopticDataset', 'CLASSES', 'PALETTE', 'STUFF_CLASSES',
           'THING_CLASSES', 'generate',
           'make_scene', 'CityscapesPanopticDataset', 'MapillaryPanopticDataset',
           'PanopticJsonDataset', 'things_first_metainfo', 'dataset_class',
           'train_dataset_classes', 'generate_videos', 'make_video',
           'YouTubeVISJsonDataset']
