"""Builds the head's pixel decoder from any registered module: a pixel
decoder as it is, a neck through :class:`NeckPixelDecoder`; a module that
follows neither contract is refused with the reason."""
import inspect

from torch import nn

from m2f_mm.registry import MODELS
from .neck_pixel_decoder import NeckPixelDecoder, registered_class


def build_pixel_decoder(cfg: dict, *, in_channels, feat_channels: int,
                        out_channels: int) -> nn.Module:
    """The pixel decoder of ``cfg``, with the head's channels filled in.

    A class whose constructor takes ``feat_channels`` is built as a pixel
    decoder and must follow the contract of :mod:`m2f_mm.models.pixel_decoders`;
    any other (``mmdet.FPN``, ``mmdet.ChannelMapper``, ``mmseg.FPN``...) is
    taken as a neck and wrapped in :class:`NeckPixelDecoder`.
    """
    cls = registered_class(cfg['type'], 'pixel_decoder')
    params = inspect.signature(cls.__init__).parameters
    if 'feat_channels' not in params:
        return NeckPixelDecoder(neck=cfg, in_channels=in_channels,
                                feat_channels=feat_channels,
                                out_channels=out_channels)
    decoder = MODELS.build(dict(cfg, in_channels=in_channels,
                                feat_channels=feat_channels,
                                out_channels=out_channels))
    forward_params = [
        p for p in inspect.signature(decoder.forward).parameters.values()
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                               p.POSITIONAL_OR_KEYWORD)]
    if not isinstance(getattr(decoder, 'num_encoder_levels', None), int) \
            or len(forward_params) != 1:
        raise TypeError(
            f'pixel_decoder {cfg["type"]!r} does not follow the pixel-decoder '
            'contract (m2f_mm.models.pixel_decoders): an int '
            '`num_encoder_levels` and `forward(feats)` returning the mask '
            'features and that many maps. MaskFormer\'s decoders '
            '(mmdet.PixelDecoder, mmdet.TransformerEncoderPixelDecoder) take '
            '`forward(feats, batch_img_metas)` and return one memory, the '
            'raw 1/32 backbone map in the backbone\'s channels, where '
            'Mask2Former attends several levels of feat_channels: use '
            "'FPNPixelDecoder' (the same FPN, multi-scale), a neck such as "
            "'mmdet.FPN', or 'mmdet.MSDeformAttnPixelDecoder'")
    return decoder
