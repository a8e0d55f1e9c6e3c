"""Mask2Former's deformable-attention pixel decoder as a neck that other
MM models use in place of an FPN (an mmseg ``UPerHead``, an mmdet head)."""
from typing import Sequence, Tuple

from mmengine.model import BaseModule
from torch import Tensor

from m2f_mm.registry import MODELS
from .deformable_pixel_decoder import DeformablePixelDecoder


@MODELS.register_module()
class DeformableNeck(BaseModule):
    """Multi-scale deformable-attention encoder plus lateral step, returning
    every level as a neck does.

    Outputs, highest resolution first as mmdet's/mmseg's necks return them:
    one map (B, out_channels, H_i, W_i) per input, at the input's size; for
    ResNet's four stages (1/4, 1/8, 1/16, 1/32) the 1/4 map is the lateral
    step's (its 1x1 lateral conv plus the upsampled 1/8 map, then a 3x3
    conv, GN, ReLU) and the 1/8, 1/16, 1/32 maps are the encoder's (6
    deformable self-attention layers over the three levels at once). No
    extra levels are added (mmdet's RetinaNet-style ``num_outs`` > inputs).

    Args:
        in_channels: backbone channels, highest resolution first.
        out_channels: channels of every output (the encoder's width).
        num_encoder_levels, num_layers, num_heads, num_points,
        feedforward_dims, num_groups, with_cp: as
            :class:`DeformablePixelDecoder`.
        init_cfg: mmengine init config.

    Its parameters are a ``DeformablePixelDecoder``'s under ``decoder.``
    without the mask projection.
    """

    def __init__(self, *, in_channels: Sequence[int], out_channels: int = 256,
                 num_encoder_levels: int = 3, num_layers: int = 6,
                 num_heads: int = 8, num_points: int = 4,
                 feedforward_dims: int = 1024, num_groups: int = 32,
                 with_cp: bool = False, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.decoder = DeformablePixelDecoder(
            in_channels=in_channels, feat_channels=out_channels,
            out_channels=None, num_encoder_levels=num_encoder_levels,
            num_layers=num_layers, num_heads=num_heads, num_points=num_points,
            feedforward_dims=feedforward_dims, num_groups=num_groups,
            with_cp=with_cp)

    def forward(self, feats: Sequence[Tensor]) -> Tuple[Tensor, ...]:
        """Backbone maps, highest resolution first -> as many maps of
        ``out_channels``, highest resolution first."""
        return tuple(self.decoder.encode(feats)[::-1])
