"""Any mmdet/mmseg neck (``mmdet.FPN``, ``mmdet.ChannelMapper``,
``mmseg.FPN``...) as Mask2Former's pixel decoder."""
import inspect
from typing import List, Sequence, Tuple

from mmengine.model import BaseModule, caffe2_xavier_init
from torch import Tensor, nn

from m2f_mm.registry import MODELS


def registered_class(type_, what: str) -> type:
    """The class a config's ``type`` names (a class passes through), looked
    up from our scope; a clear error when nothing is registered under it."""
    if not isinstance(type_, str):
        return type_
    cls = MODELS.get(type_)
    if cls is None:
        raise KeyError(f'{what} type {type_!r} is not registered (from scope '
                       "'m2f_mm'; name mmdet's and mmseg's modules "
                       "'mmdet.<Name>' / 'mmseg.<Name>', and import the "
                       'package that registers any other)')
    return cls


@MODELS.register_module()
class NeckPixelDecoder(BaseModule):
    """A neck's maps as the pixel decoder's two outputs: its
    highest-resolution map, projected by a 1x1 conv, as the mask features;
    the next ``num_encoder_levels`` maps, lowest resolution first, for the
    transformer decoder.

    Args:
        neck: the neck's config; ``in_channels`` (the backbone's) and
            ``out_channels`` (= ``feat_channels``) are filled in unless
            given, and ``num_outs`` (= number of inputs) where the neck takes
            one. It must return maps of ``feat_channels`` channels, highest
            resolution first, at least ``num_encoder_levels + 1`` of them.
        in_channels: backbone channels, highest resolution first.
        feat_channels: the neck's output channels, C.
        out_channels: channels of the mask features.
        num_encoder_levels: maps the transformer decoder attends (3).
        init_cfg: mmengine init config.
    """

    def __init__(self, *, neck: dict, in_channels: Sequence[int],
                 feat_channels: int = 256, out_channels: int = 256,
                 num_encoder_levels: int = 3, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        neck = dict(neck)
        params = inspect.signature(
            registered_class(neck['type'], 'neck').__init__).parameters
        neck.setdefault('in_channels', list(in_channels))
        neck.setdefault('out_channels', feat_channels)
        if 'num_outs' in params:
            neck.setdefault('num_outs', len(in_channels))
        self.neck_type = neck['type']
        self.neck = MODELS.build(neck)
        self.feat_channels = feat_channels
        self.num_encoder_levels = num_encoder_levels
        self.mask_proj = nn.Conv2d(feat_channels, out_channels, 1)

    def init_weights(self) -> None:
        """The neck's own initialisation; Caffe2-Xavier for the projection."""
        super().init_weights()
        caffe2_xavier_init(self.mask_proj, bias=0)

    def forward(self, feats: Sequence[Tensor]) -> Tuple[Tensor, List[Tensor]]:
        """Backbone maps, highest resolution first -> (mask_features
        (B, out_channels, h_0, w_0), ``num_encoder_levels`` maps (B, C, h, w)
        lowest resolution first)."""
        outs = self.neck(list(feats))  # highest resolution first
        if len(outs) < self.num_encoder_levels + 1:
            raise ValueError(
                f'NeckPixelDecoder: {self.neck_type} returned {len(outs)} '
                f'maps; Mask2Former needs num_encoder_levels + 1 = '
                f'{self.num_encoder_levels + 1} (mask features plus the '
                'levels the transformer decoder attends)')
        wrong = [tuple(o.shape) for o in outs if o.shape[1] != self.feat_channels]
        if wrong:
            raise ValueError(
                f'NeckPixelDecoder: {self.neck_type} returned maps of shapes '
                f'{wrong}; every map must have feat_channels='
                f'{self.feat_channels} channels (set the neck\'s out_channels)')
        mask_features = self.mask_proj(outs[0])  # (B, out_channels, h_0, w_0)
        multi_scale = list(outs[1:self.num_encoder_levels + 1])[::-1]
        return mask_features, multi_scale
