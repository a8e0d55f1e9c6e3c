"""Which face of a built model answers for its classes and tasks."""
from typing import Union

from mmengine.model import BaseTTAModel, is_model_wrapper
from mmseg.models.segmentors import EncoderDecoder
from torch import nn

from .m2f_decode_head import M2FDecodeHead
from .m2f_detector import M2FDetector


def unwrap(model: nn.Module) -> nn.Module:
    """The model inside DDP-like and test-time-augmentation wrappers, or
    the model itself."""
    while is_model_wrapper(model) or isinstance(model, BaseTTAModel):
        model = model.module
    return model


def model_face(model: nn.Module) -> Union[M2FDetector, M2FDecodeHead]:
    """The part of a built m2f_mm model that knows its class counts
    (``num_things``, ``num_classes``) and ``supported_tasks``: the
    ``M2FDetector`` itself (or the exported files' ``M2FOnnxModel``), or
    the ``M2FDecodeHead`` of an mmseg ``EncoderDecoder`` (inside a DDP-like
    wrapper or not).

    Raises:
        TypeError: the model is neither.
    """
    model = unwrap(model)
    if isinstance(model, M2FDetector) or getattr(model, 'is_model_face',
                                                 False):
        return model
    if isinstance(model, EncoderDecoder) and isinstance(model.decode_head,
                                                        M2FDecodeHead):
        return model.decode_head
    raise TypeError(f'{type(model).__name__} is not an m2f_mm model: expected '
                    'M2FDetector or mmseg EncoderDecoder with M2FDecodeHead')


def is_mmdet_side(face) -> bool:
    """Whether a :func:`model_face` is mmdet's side (``M2FDetector``, or
    exported files of one): things first, mmdet's pipelines and samples;
    else mmseg's (``M2FDecodeHead``)."""
    return isinstance(face, M2FDetector) or getattr(face, 'from_detector',
                                                    False)
