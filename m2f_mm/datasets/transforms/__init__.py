"""Data transforms m2f_mm adds to mmdet's."""
from .check_frame_size import CheckFrameSize
from .m2f_load_panoptic_annotations import M2FLoadPanopticAnnotations

__all__ = ['CheckFrameSize', 'M2FLoadPanopticAnnotations']
