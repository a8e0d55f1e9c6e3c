"""``with_cp`` on the pixel decoder and the transformer decoder changes
memory, not numbers: the whole model's losses and every gradient are equal
bit for bit with and without recomputation."""

import torch
from mmengine.registry import init_default_scope

import m2f_mm  # noqa: F401
from m2f_mm.registry import MODELS
from m2f_mm.testing.oracle import clone_samples, make_batch, ours_cfg


def test_checkpointed_decoders_give_the_same_losses_and_gradients():
    cfg = ours_cfg()
    init_default_scope('m2f_mm')
    torch.manual_seed(0)
    plain = MODELS.build(cfg)
    plain.init_weights()
    plain.train()
    cfg['head']['pixel_decoder']['with_cp'] = True
    cfg['head']['transformer_decoder']['with_cp'] = True
    recomputed = MODELS.build(cfg)
    recomputed.load_state_dict(plain.state_dict())
    recomputed.train()
    assert recomputed.head.transformer_decoder.with_cp
    inputs, samples = make_batch(plain, sizes=((64, 96), (64, 64)),
                                 training=True)
    results = []
    for model in (plain, recomputed):
        torch.manual_seed(1)
        losses = model.loss(inputs, clone_samples(samples))
        sum(losses.values()).backward()
        results.append((losses, {n: p.grad for n, p in model.named_parameters()
                                 if p.grad is not None}))
    (l0, g0), (l1, g1) = results
    assert all(torch.equal(l0[k], l1[k]) for k in l0)
    assert g0.keys() == g1.keys() and len(g0) > 100
    assert all(torch.equal(g0[n], g1[n]) for n in g0)
    decoder_grads = [g for n, g in g1.items() if 'transformer_decoder.layers' in n]
    assert sum(g.abs().sum() for g in decoder_grads) > 0
