"""The Mask2Former head: pixel decoder, masked-attention decoder, and the
class / mask predictions after the queries and after every layer (paper Sec. 3).

A clip of T frames is a time axis (Mask2Former-VIS, arXiv 2112.10764): the
pixel decoder runs per frame on (B*T, ...), the queries attend to the
memories of all T frames at once with 3D position embeddings, and each query
predicts a mask tube (B, Q, T, H/4, W/4)."""
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import caffe2_xavier_init
from mmengine.model import BaseModule
from torch import Tensor, nn

from m2f_mm.registry import MODELS
from ..layers.mlp import MLP
from ..layers.positional_encoding import (sine_position_embedding,
                                          sine_position_embedding_3d)
from ..pixel_decoders import build_pixel_decoder
from .mask_predictions import MaskPredictions


@MODELS.register_module()
class M2FHead(BaseModule):
    """Queries -> per-layer class logits over K+1 and mask logits
    ``MLP(query) . per-pixel embedding``.

    Args:
        in_channels: backbone channels, highest resolution first.
        num_classes: K, classes without no-object; set once here and passed
            to the loss.
        num_queries: learnable queries (100; 200 for Swin-L recipes).
        feat_channels: pixel-decoder width.
        embed_dims: transformer-decoder width C; a 1x1 projection is added
            per level when it differs from ``feat_channels`` or when
            ``enforce_input_proj``.
        mask_dims: channels of the per-pixel and mask embeddings.
        pixel_decoder: config of the pixel decoder (in/feat/out channels are
            filled in): any class keeping the contract of
            :mod:`m2f_mm.models.pixel_decoders`, or a neck (``mmdet.FPN``...).
        transformer_decoder: config of ``MaskedAttentionDecoder``
            (``embed_dims`` filled in).
        loss: config of the set loss (``num_classes`` filled in); None for a
            test-only head.
        enforce_input_proj: always project the decoder inputs.
        init_cfg: mmengine init config.
    """

    def __init__(self, *, in_channels: Sequence[int], num_classes: int,
                 num_queries: int = 100, feat_channels: int = 256,
                 embed_dims: int = 256, mask_dims: int = 256,
                 pixel_decoder: dict, transformer_decoder: dict,
                 loss: Optional[dict] = None, enforce_input_proj: bool = False,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.pixel_decoder = build_pixel_decoder(
            pixel_decoder, in_channels=in_channels,
            feat_channels=feat_channels, out_channels=mask_dims)
        self.transformer_decoder = MODELS.build(dict(transformer_decoder,
                                                     embed_dims=embed_dims))
        num_levels = self.pixel_decoder.num_encoder_levels
        self.embed_dims = embed_dims
        project = enforce_input_proj or feat_channels != embed_dims
        self.input_projs = nn.ModuleList(
            nn.Conv2d(feat_channels, embed_dims, 1) if project else nn.Identity()
            for _ in range(num_levels))
        self.level_embed = nn.Embedding(num_levels, embed_dims)
        self.query_feat = nn.Embedding(num_queries, embed_dims)
        self.query_pos = nn.Embedding(num_queries, embed_dims)
        self.class_head = nn.Linear(embed_dims, num_classes + 1)
        self.mask_mlp = MLP(embed_dims, embed_dims, mask_dims, 3)
        self.loss_module = None if loss is None else MODELS.build(
            dict(loss, num_classes=num_classes))

    def init_weights(self) -> None:
        """Reference initialisation of the projections and decoders."""
        super().init_weights()  # the decoders' own init_weights, once each
        for proj in self.input_projs:
            if isinstance(proj, nn.Conv2d):
                caffe2_xavier_init(proj, bias=0)

    def _predict(self, queries: Tensor, mask_features: Tensor,
                 attn_size: Optional[Tuple[int, int]]
                 ) -> Tuple[Tuple[Tensor, Tensor], Optional[Tensor]]:
        """Predictions of one set and the attention mask for the next layer.

        Args:
            queries: (B, Q, C), after the decoder's final norm.
            mask_features: (B, D, H/4, W/4), or (B, T, D, H/4, W/4) for
                clips.
            attn_size: (h, w) of the next layer's feature level, or None.

        Returns:
            (class_logits (B, Q, K+1), mask_logits (B, Q, H/4, W/4) or
            (B, Q, T, H/4, W/4)), and ``attend`` (B, Q, h*w) or
            (B, Q, T*h*w) bool, True where a query may attend.
        """
        class_logits = self.class_head(queries)
        mask_embed = self.mask_mlp(queries)  # (B, Q, D)
        if mask_features.dim() == 5:
            mask_logits = torch.einsum('bqd,btdhw->bqthw', mask_embed,
                                       mask_features)  # (B, Q, T, H/4, W/4)
        else:
            mask_logits = torch.einsum('bqd,bdhw->bqhw', mask_embed,
                                       mask_features)  # (B, Q, H/4, W/4)
        if attn_size is None:
            return (class_logits, mask_logits), None
        with torch.no_grad():
            batch, num_queries = mask_logits.shape[:2]
            # a clip's frames are the planes of one (B*Q, T, H/4, W/4) batch
            planes = (mask_logits.flatten(0, 1) if mask_logits.dim() == 5
                      else mask_logits)
            resized = F.interpolate(planes, attn_size, mode='bilinear',
                                    align_corners=False)
            attend = resized.reshape(batch, num_queries, -1).sigmoid() >= 0.5
            # (B, Q, [T*]h*w)
            # a query whose mask is empty attends everywhere
            attend = attend | ~attend.any(-1, keepdim=True)
        return (class_logits, mask_logits), attend

    def forward(self, feats: Sequence[Tensor], all_sets: bool = True,
                num_frames: int = 0) -> MaskPredictions:
        """Predict classes and masks (mask tubes for clips).

        Args:
            feats: backbone maps, highest resolution first; for clips, of the
                B*T frames, clip after clip.
            all_sets: keep the mask logits of every set (training, the
                oracle tests); False keeps only the last set's (inference:
                the others only served the attention masks), which saves
                ``num_layers`` maps of (B, Q, H/4, W/4), 1.9 GB at 2048 x
                4096.
            num_frames: T, the frames of a clip; 0 for images.

        Returns:
            :class:`MaskPredictions` with ``num_layers + 1`` sets (mask
            logits None for all but the last when not ``all_sets``).
        """
        mask_features, multi_scale = self.pixel_decoder(feats)  # per frame
        batch = mask_features.shape[0] // max(num_frames, 1)  # images or clips
        if num_frames:
            mask_features = mask_features.view(
                batch, num_frames, *mask_features.shape[1:])  # (B, T, D, H/4, W/4)
        memories, memory_pos, sizes = [], [], []
        for level, (feat, proj) in enumerate(zip(multi_scale, self.input_projs)):
            h, w = feat.shape[-2:]
            memory = proj(feat).flatten(2).transpose(1, 2)  # (B[*T], hw, C)
            memory = memory + self.level_embed.weight[level]
            if num_frames:
                memories.append(memory.reshape(batch, num_frames * h * w, -1))
                pos = sine_position_embedding_3d(
                    num_frames, h, w, self.embed_dims // 2, device=feat.device)
                memory_pos.append(pos.permute(0, 2, 3, 1).reshape(
                    1, num_frames * h * w, -1))  # (1, T*hw, C), frame-major
            else:
                memories.append(memory)
                pos = sine_position_embedding(h, w, self.embed_dims // 2,
                                              device=feat.device)
                memory_pos.append(pos.flatten(1).transpose(0, 1)[None])  # (1, hw, C)
            sizes.append((h, w))
        queries = self.query_feat.weight[None].expand(batch, -1, -1)  # (B, Q, C)

        last_queries = []

        def predict(normed_queries, attn_size):
            (class_logits, mask_logits), attend = self._predict(
                normed_queries, mask_features, attn_size)
            if attn_size is None:  # the last set
                last_queries.append(normed_queries)
            elif not all_sets:
                mask_logits = None
            return (class_logits, mask_logits), attend

        predictions = self.transformer_decoder(
            queries, self.query_pos.weight[None], memories, memory_pos, sizes,
            predict)
        class_logits, mask_logits = zip(*predictions)
        return MaskPredictions(list(class_logits), list(mask_logits),
                               last_queries[0])

    def loss(self, feats: Sequence[Tensor], gt_labels: Sequence[Tensor],
             gt_masks: Sequence[Tensor],
             num_frames: int = 0) -> Dict[str, Tensor]:
        """Forward and set loss.

        Args:
            feats: backbone maps (of B*T frames for clips).
            gt_labels: B tensors (M_b,).
            gt_masks: B tensors (M_b, H, W), or tubes (M_b, T, H, W), at the
                padded input resolution.
            num_frames: T for clips; 0 for images.
        """
        if self.loss_module is None:
            raise RuntimeError('this head was built without `loss`')
        preds = self(feats, num_frames=num_frames)
        return self.loss_module(preds.class_logits, preds.mask_logits,
                                gt_labels, gt_masks)
