"""30 AdamW steps on one fixed small batch drive the total loss below half."""
import torch
from mmengine.registry import init_default_scope

import m2f_mm  # noqa: F401
from m2f_mm.registry import MODELS
from m2f_mm.testing.oracle import make_batch, ours_cfg


def test_thirty_steps_halve_the_loss():
    init_default_scope('m2f_mm')
    torch.manual_seed(0)
    model = MODELS.build(ours_cfg())
    model.init_weights()
    model.train()
    inputs, samples = make_batch(model, sizes=((64, 64), (64, 64)),
                                 training=True)
    optim = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    totals = []
    for _ in range(30):
        losses = model.loss(inputs, samples)
        total = sum(losses.values())
        assert torch.isfinite(total)
        optim.zero_grad()
        total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.01)  # the recipe's clip
        optim.step()
        totals.append(total.item())
    print(f'total loss: start {totals[0]:.2f}, end {totals[-1]:.2f}')
    assert totals[-1] < 0.5 * totals[0]
