"""User-facing Python API: inference on images, folders and videos, and
tracks of whole videos (video models)."""
from .inferencer import Mask2FormerInferencer, infer_files, init_model
from .video_tracker import VideoTracker, VideoTracks

__all__ = ['Mask2FormerInferencer', 'infer_files', 'init_model',
           'VideoTracker', 'VideoTracks']
