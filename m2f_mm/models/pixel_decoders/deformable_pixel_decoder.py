"""Mask2Former's pixel decoder: a deformable-attention encoder over the
1/8, 1/16, 1/32 features, then an FPN-like lateral step to 1/4 (paper Sec. 3.2)."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
import torch.utils.checkpoint as cp
from mmengine.model import caffe2_xavier_init, xavier_init
from mmengine.model import BaseModule
from torch import Tensor, nn

from m2f_mm.registry import MODELS
from ..layers.conv_gn import conv_gn
from ..layers.deformable_attention import DeformableAttention
from ..layers.feature_levels import FeatureLevels, reference_points_of
from ..layers.positional_encoding import sine_position_embedding
from .deformable_encoder_layer import DeformableEncoderLayer


def _read_mmdet_encoder(encoder: dict, feat_channels: int) -> tuple:
    """(num_layers, num_levels, num_heads, num_points, feedforward_dims) from
    the encoder config of mmdet's ``MSDeformAttnPixelDecoder``; an error for
    a setting this decoder does not implement."""
    known = dict(
        encoder=dict(num_layers=None, layer_cfg=None, init_cfg=None),
        self_attn_cfg=dict(num_levels=None, num_heads=None, num_points=None,
                           embed_dims=feat_channels, dropout=0.0,
                           batch_first=True, im2col_step=None,
                           value_proj_ratio=1.0, norm_cfg=None),
        ffn_cfg=dict(feedforward_channels=None, embed_dims=feat_channels,
                     num_fcs=2, ffn_drop=0.0, act_cfg=dict(type='ReLU',
                                                          inplace=True)))
    layer_cfg = encoder.get('layer_cfg') or {}
    parts = dict(encoder=encoder,
                 self_attn_cfg=layer_cfg.get('self_attn_cfg') or {},
                 ffn_cfg=layer_cfg.get('ffn_cfg') or {})
    for name, part in parts.items():
        for key, value in part.items():
            if key not in known[name]:
                raise ValueError(f'DeformablePixelDecoder: encoder {name} '
                                 f'setting {key}={value!r} is not supported')
            want = known[name][key]
            if want is not None and value != want and not (
                    key == 'act_cfg' and value.get('type') == 'ReLU'):
                raise ValueError(f'DeformablePixelDecoder: encoder {name} '
                                 f'{key}={value!r}, this decoder has {want!r}')
    extra = set(layer_cfg) - {'self_attn_cfg', 'ffn_cfg'}
    if extra:
        raise ValueError('DeformablePixelDecoder: encoder layer_cfg settings '
                         f'{sorted(extra)} are not supported')
    attn, ffn = parts['self_attn_cfg'], parts['ffn_cfg']
    return (encoder.get('num_layers', 6), attn.get('num_levels', 3),
            attn.get('num_heads', 8), attn.get('num_points', 4),
            ffn.get('feedforward_channels', 1024))


@MODELS.register_module()
class DeformablePixelDecoder(BaseModule):
    """Multi-scale deformable-attention pixel decoder.

    Args:
        in_channels: channels of the backbone features, highest resolution
            first (e.g. ResNet's 1/4, 1/8, 1/16, 1/32).
        feat_channels: width of the encoder and of the outputs, C.
        out_channels: channels of the per-pixel embeddings (mask features);
            None builds no mask projection (the neck, which returns
            :meth:`encode`'s maps).
        num_encoder_levels: how many of the lowest-resolution inputs the
            encoder attends (3 in the paper); the rest go through the lateral
            step.
        num_layers: encoder layers (6).
        num_heads: deformable-attention heads (8).
        num_points: sampling points per head and level (4).
        feedforward_dims: FFN width (1024).
        num_groups: GroupNorm groups (32).
        with_cp: in training, keep only each encoder layer's input for
            backward and recompute the layer there (gradient checkpointing,
            as mmdet's ``with_cp``/``num_cp``): the same gradients, bit for
            bit, for about 0.5 GiB less at 2 x 512^2 and one more forward of
            the encoder per step.
        encoder: the encoder settings in mmdet's spelling instead of
            ``num_layers`` ... ``feedforward_dims``: ``dict(num_layers=6,
            layer_cfg=dict(self_attn_cfg=dict(num_levels=3, num_heads=8,
            num_points=4), ffn_cfg=dict(feedforward_channels=1024)))``, what
            mmdet's ``Mask2FormerHead`` reads from its pixel decoder's config
            (it asserts ``encoder.layer_cfg.self_attn_cfg.num_levels``), so
            that this decoder can be named there; settings this decoder does
            not have (dropout, other activations or norms) are refused.
        init_cfg: mmengine init config.
    """

    def __init__(self, *, in_channels: Sequence[int], feat_channels: int = 256,
                 out_channels: Optional[int] = 256, num_encoder_levels: int = 3,
                 num_layers: int = 6, num_heads: int = 8, num_points: int = 4,
                 feedforward_dims: int = 1024, num_groups: int = 32,
                 with_cp: bool = False, encoder: Optional[dict] = None,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if encoder is not None:  # mmdet's spelling of the encoder settings
            num_layers, num_encoder_levels, num_heads, num_points, \
                feedforward_dims = _read_mmdet_encoder(encoder, feat_channels)
        if not 1 <= num_encoder_levels <= len(in_channels):
            raise ValueError(f'num_encoder_levels={num_encoder_levels} must be '
                             f'in [1, {len(in_channels)}]')
        self.num_inputs = len(in_channels)
        self.num_encoder_levels = num_encoder_levels
        self.feat_channels = feat_channels
        self.with_cp = with_cp
        # encoder levels, lowest resolution first
        self.encoder_input_indices = list(
            range(self.num_inputs - 1, self.num_inputs - num_encoder_levels - 1, -1))
        self.input_projs = nn.ModuleList(
            conv_gn(in_channels[i], feat_channels, 1, True, num_groups)
            for i in self.encoder_input_indices)
        self.level_embed = nn.Embedding(num_encoder_levels, feat_channels)
        self.layers = nn.ModuleList(
            DeformableEncoderLayer(feat_channels, num_heads, num_encoder_levels,
                                   num_points, feedforward_dims)
            for _ in range(num_layers))
        # lateral step for the inputs the encoder does not see, lowest res first
        self.lateral_input_indices = list(
            range(self.num_inputs - num_encoder_levels - 1, -1, -1))
        self.lateral_convs = nn.ModuleList(
            conv_gn(in_channels[i], feat_channels, 1, False, num_groups)
            for i in self.lateral_input_indices)
        self.output_convs = nn.ModuleList(
            conv_gn(feat_channels, feat_channels, 3, False, num_groups, relu=True)
            for _ in self.lateral_input_indices)
        self.mask_proj = (None if out_channels is None else
                          nn.Conv2d(feat_channels, out_channels, 1))

    def init_weights(self) -> None:
        """Xavier for convs and encoder matrices, mmcv's init for the attention."""
        super().init_weights()
        for proj in self.input_projs:
            xavier_init(proj[0], gain=1, bias=0, distribution='uniform')
        for conv in list(self.lateral_convs) + list(self.output_convs):
            caffe2_xavier_init(conv[0], bias=0)
        if self.mask_proj is not None:
            caffe2_xavier_init(self.mask_proj, bias=0)
        nn.init.normal_(self.level_embed.weight)
        for p in self.layers.parameters():
            if p.dim() > 1:
                nn.init.xavier_normal_(p)
        for m in self.layers.modules():
            if isinstance(m, DeformableAttention):
                m.init_weights()

    def forward(self, feats: Sequence[Tensor]) -> Tuple[Tensor, List[Tensor]]:
        """Encode the backbone features.

        Args:
            feats: backbone maps, highest resolution first, each (B, C_i, H_i, W_i).

        Returns:
            mask_features: (B, out_channels, H/4, W/4) per-pixel embeddings.
            multi_scale: ``num_encoder_levels`` maps (B, C, h, w), lowest
                resolution first, for the transformer decoder.
        """
        if self.mask_proj is None:
            raise RuntimeError('built with out_channels=None (as a neck): '
                               'call encode()')
        outs = self.encode(feats)
        mask_features = self.mask_proj(outs[-1])  # (B, out_channels, H/4, W/4)
        return mask_features, outs[:self.num_encoder_levels]

    def encode(self, feats: Sequence[Tensor]) -> List[Tensor]:
        """One map (B, C, h_i, w_i) per input, lowest resolution first: the
        encoder's levels, then the lateral steps' (the last at the input's
        highest resolution, e.g. 1/4)."""
        batch = feats[0].shape[0]
        tokens, pos, shapes = [], [], []
        for level, (idx, proj) in enumerate(
                zip(self.encoder_input_indices, self.input_projs)):
            h, w = feats[idx].shape[-2:]
            tokens.append(proj(feats[idx]).flatten(2).transpose(1, 2))  # (B, hw, C)
            level_pos = sine_position_embedding(
                h, w, self.feat_channels // 2, device=feats[idx].device
            ) + self.level_embed.weight[level][:, None, None]  # (C, h, w)
            pos.append(level_pos.flatten(1).transpose(0, 1))  # (hw, C)
            shapes.append((h, w))
        tokens = torch.cat(tokens, 1)  # (B, S, C), S = sum(hw)
        pos = torch.cat(pos, 0)[None]  # (1, S, C)
        levels = FeatureLevels.of(shapes, tokens.device)
        reference_points = reference_points_of(shapes, tokens.device)  # (1, S, 1, 2)
        for layer in self.layers:
            if self.with_cp and torch.is_grad_enabled() and self.training:
                tokens = cp.checkpoint(layer, tokens, pos, reference_points,
                                       levels, use_reentrant=False)
            else:
                tokens = layer(tokens, pos, reference_points, levels)
        sizes = [h * w for h, w in shapes]
        outs = [
            t.transpose(1, 2).reshape(batch, -1, h, w)
            for t, (h, w) in zip(tokens.split(sizes, dim=1), shapes)
        ]  # each (B, C, h, w), lowest resolution first
        for idx, lateral, output in zip(self.lateral_input_indices,
                                        self.lateral_convs, self.output_convs):
            lat = lateral(feats[idx])
            # the encoder's maps are channel-last views of the tokens: torch
            # resizes those several times slower than a contiguous copy (and
            # rounds the last bit differently from it: ~5e-7)
            outs.append(output(lat + F.interpolate(
                outs[-1].contiguous(), size=lat.shape[-2:], mode='bilinear',
                align_corners=False)))
        return outs
