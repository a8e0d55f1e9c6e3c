"""The two framework faces of one model: ``M2FDetector`` (mmdet side:
panoptic, instance and semantic outputs, mmdet's data samples and metrics)
and ``M2FDecodeHead`` (mmseg side: a decode head of mmseg's
``EncoderDecoder``). Both build their targets with :func:`image_targets` and
read ``test_cfg`` as an :class:`InferenceConfig`."""
from .inference_config import TASKS, InferenceConfig
from .m2f_decode_head import M2FDecodeHead
from .m2f_detector import M2FDetector
from .m2f_tta_model import M2FTTAModel
from .model_face import is_mmdet_side, model_face, unwrap
from .targets import image_targets

__all__ = ['M2FDetector', 'M2FTTAModel', 'M2FDecodeHead', 'InferenceConfig', 'TASKS',
           'image_targets', 'model_face', 'is_mmdet_side', 'unwrap']
