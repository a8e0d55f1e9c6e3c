"""Pure post-processing functions, one per task."""
from .instance import instance_inference
from .instance_merge import merge_view_instances
from .panoptic import INSTANCE_OFFSET, panoptic_inference
from .query_masks import QueryMasks, resize_masks
from .semantic import semantic_from_probs, semantic_inference
from .video import link_queries, top_track_pairs, video_instance_inference

__all__ = ['instance_inference', 'panoptic_inference', 'semantic_inference',
           'semantic_from_probs', 'INSTANCE_OFFSET', 'QueryMasks',
           'resize_masks', 'merge_view_instances', 'video_instance_inference',
           'top_track_pairs', 'link_queries']
