"""Pure post-processing functions, one per task."""
from .instance import instance_inference
from .panoptic import INSTANCE_OFFSET, panoptic_inference
from .semantic import semantic_inference

__all__ = ['instance_inference', 'panoptic_inference', 'semantic_inference',
           'INSTANCE_OFFSET']
