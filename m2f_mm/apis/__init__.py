"""User-facing Python API: inference on images, folders and videos."""
from .inferencer import Mask2FormerInferencer, infer_files

__all__ = ['Mask2FormerInferencer', 'infer_files']
