"""Checkpoint converters into m2f_mm's parameter names (mmdet/mmseg's
Mask2Former, the official detectron2-layout checkpoints and Hugging Face's
transformers checkpoints). (Our config translated into mmdet's equivalent
model, the oracle of the tests, is ``m2f_mm.testing.mmdet_twin``.)"""
from .conversion_tool import run_conversion
from .fit_config import check_fits_config, head_prefix_of, reorder_classes
from .hf_checkpoint import convert_hf_state_dict, load_hf_checkpoint
from .mmdet_checkpoint import convert_head_key, convert_mmdet_state_dict
from .official_checkpoint import (UnsafePickleError, class_order_by_name,
                                  convert_official_state_dict,
                                  load_official_checkpoint)

__all__ = ['convert_head_key', 'convert_mmdet_state_dict',
           'UnsafePickleError', 'class_order_by_name',
           'convert_official_state_dict', 'load_official_checkpoint',
           'convert_hf_state_dict', 'load_hf_checkpoint',
           'check_fits_config', 'head_prefix_of', 'reorder_classes',
           'run_conversion']
