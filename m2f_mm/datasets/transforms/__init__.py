"""Data transforms m2f_mm adds to mmdet's."""
from .m2f_load_panoptic_annotations import M2FLoadPanopticAnnotations

__all__ = ['M2FLoadPanopticAnnotations']
