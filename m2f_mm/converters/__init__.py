"""Checkpoint converters into m2f_mm's parameter names."""
from .mmdet_checkpoint import convert_head_key, convert_mmdet_state_dict

__all__ = ['convert_head_key', 'convert_mmdet_state_dict']
