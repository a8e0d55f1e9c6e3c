"""Datasets m2f_mm adds: the synthetic shapes scenes (real on-disk formats)."""
from .synthetic_shapes import (CLASSES, PALETTE, STUFF_CLASSES, THING_CLASSES,
                               generate, make_scene)

__all__ = ['CLASSES', 'PALETTE', 'STUFF_CLASSES', 'THING_CLASSES', 'generate',
           'make_scene']
