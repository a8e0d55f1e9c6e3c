"""Runner hooks."""
from .crop_pretrain_hook import CropPretrainHook

__all__ = ['CropPretrainHook']
