"""Whole models: the mmdet-side detector (mmseg uses EncoderDecoder + M2FDecodeHead)."""
from .m2f_detector import M2FDetector
from .test_config import InferenceConfig

__all__ = ['M2FDetector', 'InferenceConfig']
