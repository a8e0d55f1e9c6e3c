"""Runner hooks."""
from .hooks import CropPretrainHook

__all__ = ['CropPretrainHook']
