"""The framework faces of one model: ``M2FDetector`` (mmdet side:
panoptic, instance and semantic outputs, mmdet's data samples and metrics),
``M2FDecodeHead`` (mmseg side: a decode head of mmseg's ``EncoderDecoder``)
and ``M2FVideoSegmentor`` (video instance segmentation, mmdet's
``TrackDataSample``s). The image faces build their targets with
:func:`image_targets` and read ``test_cfg`` as an :class:`InferenceConfig`;
the video face builds tubes with :func:`tube_targets`."""
from .inference_config import TASKS, InferenceConfig
from .m2f_decode_head import M2FDecodeHead
from .m2f_detector import M2FDetector
from .m2f_tta_model import M2FTTAModel
from .m2f_video_segmentor import M2FVideoSegmentor
from .model_face import is_mmdet_side, model_face, unwrap
from .targets import image_targets, tube_targets

__all__ = ['M2FDetector', 'M2FTTAModel', 'M2FDecodeHead', 'M2FVideoSegmentor',
           'InferenceConfig', 'TASKS', 'image_targets', 'tube_targets',
           'model_face', 'is_mmdet_side', 'unwrap']
