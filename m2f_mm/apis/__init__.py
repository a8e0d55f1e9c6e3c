"""User-facing Python API: inference on images, folders and videos."""
from .inferencer import Mask2FormerInferencer, infer_files, init_model

__all__ = ['Mask2FormerInferencer', 'infer_files', 'init_model']
