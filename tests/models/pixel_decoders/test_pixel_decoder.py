"""The pixel decoder's gradient checkpointing changes memory, not numbers."""
import copy

import torch

from m2f_mm.models.pixel_decoders import DeformablePixelDecoder


def test_checkpointed_encoder_gives_the_same_outputs_and_gradients():
    torch.manual_seed(0)
    plain = DeformablePixelDecoder(in_channels=[8, 16, 32, 64],
                                   feat_channels=32, out_channels=16,
                                   num_heads=4, feedforward_dims=64,
                                   num_groups=8)
    plain.init_weights()
    plain.train()
    recomputed = copy.deepcopy(plain)
    recomputed.with_cp = True
    feats = [torch.randn(2, c, 64 // s, 96 // s)
             for c, s in zip([8, 16, 32, 64], [4, 8, 16, 32])]
    results = []
    for model in (plain, recomputed):
        mask_features, multi_scale = model(feats)
        loss = mask_features.square().mean() + sum(
            m.abs().mean() for m in multi_scale)
        loss.backward()
        results.append((mask_features, multi_scale,
                        [p.grad for p in model.parameters()]))
    (m0, s0, g0), (m1, s1, g1) = results
    assert torch.equal(m0, m1)
    assert all(torch.equal(a, b) for a, b in zip(s0, s1))
    assert len(g0) == len(g1) and all(
        torch.equal(a, b) for a, b in zip(g0, g1))
    assert g1[-1].abs().sum() > 0  # gradients reached the parameters
