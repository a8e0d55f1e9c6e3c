"""mmdet's match costs and losses named in our config: with mmdet's
Mask2Former settings they give our losses (and so our matching); other
mmdet losses (FocalLoss) train."""
import torch
from mmengine.registry import init_default_scope

import m2f_mm  # noqa: F401
from m2f_mm.registry import MODELS
from m2f_mm.testing.oracle import (NUM_CLASSES, clone_samples, make_batch,
                                   ours_cfg)

MMDET_COSTS = [dict(type='mmdet.ClassificationCost', weight=2.0),
               dict(type='mmdet.CrossEntropyLossCost', weight=5.0,
                    use_sigmoid=True),
               dict(type='mmdet.DiceCost', weight=5.0, pred_act=True,
                    eps=1.0)]
MMDET_LOSSES = dict(
    loss_cls=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=False,
                  loss_weight=2.0, reduction='mean',
                  class_weight=[1.0] * NUM_CLASSES + [0.1]),
    loss_mask=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=True,
                   reduction='mean', loss_weight=5.0),
    loss_dice=dict(type='mmdet.DiceLoss', use_sigmoid=True, activate=True,
                   reduction='mean', naive_dice=True, eps=1.0,
                   loss_weight=5.0))


def build(loss_update=None, costs=None):
    cfg = ours_cfg()
    if costs is not None:
        cfg['head']['loss']['assigner']['match_costs'] = costs
    cfg['head']['loss'].update(loss_update or {})
    init_default_scope('m2f_mm')
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model.train()


def losses_of(model, inputs, samples):
    torch.manual_seed(3)  # the same points for both
    return model.loss(inputs, clone_samples(samples))


def test_mmdet_costs_and_losses_give_our_losses():
    ours = build()
    mixed = build(MMDET_LOSSES, MMDET_COSTS)
    mixed.load_state_dict(ours.state_dict())
    inputs, samples = make_batch(ours, sizes=((64, 96), (64, 64)),
                                 training=True, seed=5)
    a = losses_of(ours, inputs, samples)
    b = losses_of(mixed, inputs, samples)
    assert a.keys() == b.keys() and len(a) == 30
    for key in a:
        assert torch.allclose(a[key], b[key], rtol=1e-5, atol=1e-6), key


def test_mmdet_costs_give_our_cost_matrix():
    torch.manual_seed(0)
    ours = build().head.loss_module.assigner
    mixed = build(costs=MMDET_COSTS).head.loss_module.assigner
    class_logits, mask_logits = torch.randn(7, NUM_CLASSES + 1), torch.randn(7, 16, 16)
    labels, masks = torch.tensor([0, 4, 2]), torch.rand(3, 64, 64) > 0.5
    points = torch.rand(1, 50, 2)
    assert torch.allclose(ours.cost(class_logits, mask_logits, labels, masks, points),
                          mixed.cost(class_logits, mask_logits, labels, masks, points),
                          atol=1e-5)


def test_focal_loss_for_the_class_term_trains():
    focal = dict(loss_cls=dict(type='mmdet.FocalLoss', use_sigmoid=True,
                               gamma=2.0, alpha=0.25, loss_weight=2.0))
    model = build(focal)
    inputs, samples = make_batch(model, sizes=((64, 64), ), training=True)
    optim = torch.optim.AdamW(model.parameters(), lr=1e-3)
    first = None
    for _ in range(6):
        losses = losses_of(model, inputs, samples)
        if first is None:
            first = losses['loss_cls'].item()
        optim.zero_grad()
        sum(losses.values()).backward()
        optim.step()
    assert torch.isfinite(losses['loss_cls'])
    assert losses['loss_cls'].item() < first  # it learns the same batch
