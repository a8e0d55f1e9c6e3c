"""Pixel decoders: backbone maps -> per-pixel embeddings and the multi-scale
maps the transformer decoder attends (paper Sec. 3.2, Table 4e).

The contract the head relies on (any registered class that keeps it can be
named as ``head.pixel_decoder``):

* constructor keywords ``in_channels`` (the backbone's channels, highest
  resolution first), ``feat_channels`` (C, the width of the multi-scale
  maps) and ``out_channels`` (D, the mask-feature channels), filled in by the
  head;
* an int attribute ``num_encoder_levels``: L, how many maps the transformer
  decoder attends (its layer i attends map i mod L);
* ``forward(feats)`` with the backbone's maps, highest resolution first,
  returning ``(mask_features, multi_scale)``: mask_features (B, D, h, w),
  the per-pixel embeddings of the mask logits (1/4 of the input in the
  paper), and multi_scale, a list of L maps (B, C, h_l, w_l), lowest
  resolution first.

mmdet's ``MSDeformAttnPixelDecoder`` keeps it. A class without
``feat_channels`` (an mmdet/mmseg neck such as ``mmdet.FPN`` or
``mmdet.ChannelMapper``) is wrapped in :class:`NeckPixelDecoder` by the
head. MaskFormer's single-scale decoders do not keep it and are refused with
the reason (:func:`build_pixel_decoder`).
"""
from .build_pixel_decoder import build_pixel_decoder
from .deformable_neck import DeformableNeck
from .deformable_pixel_decoder import DeformablePixelDecoder
from .fpn_pixel_decoder import FPNPixelDecoder
from .neck_pixel_decoder import NeckPixelDecoder

__all__ = ['DeformablePixelDecoder', 'DeformableNeck', 'FPNPixelDecoder',
           'NeckPixelDecoder', 'build_pixel_decoder']
