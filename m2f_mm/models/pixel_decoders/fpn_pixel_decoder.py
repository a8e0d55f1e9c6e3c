"""The light pixel decoder of the paper's ablation (Table 4e, "FPN"): a
top-down feature pyramid without the deformable-attention encoder."""
from typing import List, Sequence, Tuple

import torch.nn.functional as F
from mmengine.model import BaseModule, caffe2_xavier_init
from torch import Tensor, nn

from m2f_mm.registry import MODELS
from ..layers.conv_gn import conv_gn


@MODELS.register_module()
class FPNPixelDecoder(BaseModule):
    """Top-down FPN as the official code's ``BasePixelDecoder``: the lowest
    resolution input through a 3x3 conv; every other input through a 1x1
    lateral conv plus the nearest-upsampled map above it, then a 3x3 conv
    (convs without bias, each followed by GroupNorm, the 3x3 ones by ReLU);
    the mask features a 3x3 conv of the highest-resolution map.

    Args:
        in_channels: backbone channels, highest resolution first.
        feat_channels: width of every pyramid map, C.
        out_channels: channels of the mask features.
        num_encoder_levels: how many maps, from the lowest resolution, the
            transformer decoder attends (3: 1/32, 1/16, 1/8).
        num_groups: GroupNorm groups (32).
        init_cfg: mmengine init config.
    """

    def __init__(self, *, in_channels: Sequence[int], feat_channels: int = 256,
                 out_channels: int = 256, num_encoder_levels: int = 3,
                 num_groups: int = 32, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not 1 <= num_encoder_levels <= len(in_channels):
            raise ValueError(f'num_encoder_levels={num_encoder_levels} must be '
                             f'in [1, {len(in_channels)}]')
        self.num_encoder_levels = num_encoder_levels
        top, *rest = list(in_channels)[::-1]  # lowest resolution first
        self.top_conv = conv_gn(top, feat_channels, 3, False, num_groups,
                                relu=True)
        self.lateral_convs = nn.ModuleList(
            conv_gn(c, feat_channels, 1, False, num_groups) for c in rest)
        self.output_convs = nn.ModuleList(
            conv_gn(feat_channels, feat_channels, 3, False, num_groups,
                    relu=True) for _ in rest)
        self.mask_proj = nn.Conv2d(feat_channels, out_channels, 3, padding=1)

    def init_weights(self) -> None:
        """Caffe2-Xavier for every conv, zero biases."""
        super().init_weights()
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                caffe2_xavier_init(m, bias=0)

    def forward(self, feats: Sequence[Tensor]) -> Tuple[Tensor, List[Tensor]]:
        """Backbone maps, highest resolution first -> (mask_features
        (B, out_channels, H/4, W/4), ``num_encoder_levels`` maps (B, C, h, w)
        lowest resolution first)."""
        y = self.top_conv(feats[-1])  # (B, C, H/32, W/32)
        outs = [y]
        for feat, lateral, output in zip(feats[-2::-1], self.lateral_convs,
                                         self.output_convs):
            lat = lateral(feat)
            y = output(lat + F.interpolate(y, size=lat.shape[-2:],
                                           mode='nearest'))
            outs.append(y)
        return self.mask_proj(y), outs[:self.num_encoder_levels]
