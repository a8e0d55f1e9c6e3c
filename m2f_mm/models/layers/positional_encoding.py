"""Sine positional encoding of a feature map (DETR's, normalised to 2*pi)."""
import math

import torch
from torch import Tensor


def sine_position_embedding(height: int, width: int, num_feats: int,
                            device=None, temperature: float = 10000.,
                            scale: float = 2 * math.pi,
                            eps: float = 1e-6) -> Tensor:
    """Normalised sine/cosine embedding of every position of an unpadded map.

    Mask2Former ignores padding in its position encodings, so the embedding
    depends only on the map's size and is shared by the whole batch.

    Args:
        height, width: map size.
        num_feats: channels per axis; the result has ``2 * num_feats``.
        temperature, scale, eps: as in DETR.

    Returns:
        (2 * num_feats, H, W) embedding, y channels first then x.
    """
    y_embed = torch.arange(1, height + 1, dtype=torch.float32, device=device)
    x_embed = torch.arange(1, width + 1, dtype=torch.float32, device=device)
    y_embed = y_embed / (height + eps) * scale  # (H,)
    x_embed = x_embed / (width + eps) * scale  # (W,)
    dim_t = torch.arange(num_feats, dtype=torch.float32, device=device)
    dim_t = temperature**(2 * torch.div(dim_t, 2, rounding_mode='floor') /
                          num_feats)
    pos_y = y_embed[:, None] / dim_t  # (H, F)
    pos_x = x_embed[:, None] / dim_t  # (W, F)
    # interleave sin (even channels) and cos (odd channels)
    pos_y = torch.stack([pos_y[:, 0::2].sin(), pos_y[:, 1::2].cos()],
                        dim=2).flatten(1)  # (H, F)
    pos_x = torch.stack([pos_x[:, 0::2].sin(), pos_x[:, 1::2].cos()],
                        dim=2).flatten(1)  # (W, F)
    pos = torch.cat([
        pos_y[:, None, :].expand(height, width, num_feats),
        pos_x[None, :, :].expand(height, width, num_feats)
    ], dim=2)  # (H, W, 2F)
    return pos.permute(2, 0, 1)


def sine_position_embedding_3d(frames: int, height: int, width: int,
                               num_feats: int, device=None,
                               temperature: float = 10000.,
                               scale: float = 2 * math.pi,
                               eps: float = 1e-6) -> Tensor:
    """The video model's embedding of every (frame, y, x) of a clip
    (Mask2Former-VIS, arXiv 2112.10764 Sec. 3): the 2D embedding of
    :func:`sine_position_embedding` plus a sine/cosine embedding of the
    normalised frame index over all ``2 * num_feats`` channels (at twice the
    2D embedding's channels per axis, hence its own frequencies).

    Returns:
        (T, 2 * num_feats, H, W).
    """
    spatial = sine_position_embedding(height, width, num_feats, device,
                                      temperature, scale, eps)  # (2F, H, W)
    t_embed = torch.arange(1, frames + 1, dtype=torch.float32, device=device)
    t_embed = t_embed / (frames + eps) * scale  # (T,)
    dim_t = torch.arange(2 * num_feats, dtype=torch.float32, device=device)
    dim_t = temperature**(2 * torch.div(dim_t, 2, rounding_mode='floor') /
                          (2 * num_feats))
    pos_t = t_embed[:, None] / dim_t  # (T, 2F)
    pos_t = torch.stack([pos_t[:, 0::2].sin(), pos_t[:, 1::2].cos()],
                        dim=2).flatten(1)  # (T, 2F)
    return spatial[None] + pos_t[:, :, None, None]  # (T, 2F, H, W)
