"""The set loss alone: empty targets give finite, differentiable, zero mask
losses; perfect predictions give losses near zero; normalisation by masks."""
import torch

import m2f_mm  # noqa: F401
from m2f_mm.registry import MODELS

K = 3


def _loss(num_points=256):
    return MODELS.build(dict(
        type='MaskSetLoss', num_classes=K, num_points=num_points,
        assigner=dict(type='PointHungarianAssigner', num_points=num_points,
                      match_costs=[dict(type='ClassProbCost', weight=2.0),
                                   dict(type='PointBCECost', weight=5.0),
                                   dict(type='PointDiceCost', weight=5.0)])))


def test_empty_targets_give_finite_zero_mask_losses_and_gradients():
    loss = _loss()
    cls = torch.randn(2, 5, K + 1, requires_grad=True)
    masks = torch.randn(2, 5, 8, 8, requires_grad=True)
    empty_labels = [torch.zeros(0, dtype=torch.long)] * 2
    empty_masks = [torch.zeros(0, 32, 32, dtype=torch.bool)] * 2
    out = loss([cls, cls], [masks, masks], empty_labels, empty_masks)
    total = sum(out.values())
    assert torch.isfinite(total)
    assert out['loss_mask'] == 0 and out['loss_dice'] == 0
    total.backward()
    assert torch.isfinite(cls.grad).all() and cls.grad.abs().sum() > 0
    assert torch.isfinite(masks.grad).all()


def _one_target_batch(gt_mask, mask_value):
    """Image 0: one target of class 2 predicted by query 1 with constant
    mask logits; image 1: no targets. Every other query says no-object."""
    gts = [gt_mask[None], torch.zeros(0, 32, 32, dtype=torch.bool)]
    labels = [torch.tensor([2]), torch.zeros(0, dtype=torch.long)]
    masks = torch.full((2, 4, 32, 32), -30.)
    cls = torch.full((2, 4, K + 1), -30.)
    cls[..., K] = 30.
    masks[0, 1] = mask_value
    cls[0, 1, K], cls[0, 1, 2] = -30., 30.
    return [cls], [masks], labels, gts


def test_perfect_prediction_gives_near_zero_loss():
    # Points are sampled bilinearly with zero padding (as in the reference),
    # so a mask edge, the image border included, gives soft targets whose
    # BCE is their entropy. An empty target mask has no edge at all:
    loss = _loss(num_points=1024)
    out = loss(*_one_target_batch(torch.zeros(32, 32, dtype=torch.bool), -30.))
    assert out['loss_cls'] < 1e-6
    assert out['loss_mask'] < 1e-4
    assert out['loss_dice'] < 1e-2
    # a full-image target: only the border half-pixels are soft
    out = loss(*_one_target_batch(torch.ones(32, 32, dtype=torch.bool), 30.))
    assert out['loss_cls'] < 1e-6
    assert out['loss_dice'] < 5 * 0.05
    wrong = loss(*_one_target_batch(torch.ones(32, 32, dtype=torch.bool), -30.))
    assert wrong['loss_dice'] > 5 * 0.9


def test_mask_losses_are_normalised_by_the_number_of_masks():
    loss = _loss(num_points=128)
    torch.manual_seed(0)
    cls, masks = torch.randn(1, 4, K + 1), torch.randn(1, 4, 8, 8)
    gt = torch.rand(1, 16, 16) > 0.5
    torch.manual_seed(5)
    one = loss([cls], [masks], [torch.tensor([1])], [gt])
    # the same image twice in a batch: twice the masks, the same mean loss
    torch.manual_seed(5)
    two = loss([cls.repeat(2, 1, 1)], [masks.repeat(2, 1, 1, 1)],
               [torch.tensor([1])] * 2, [gt] * 2)
    torch.testing.assert_close(one['loss_cls'], two['loss_cls'])
    # point draws differ between the images, so compare loosely
    torch.testing.assert_close(one['loss_dice'], two['loss_dice'], rtol=0.1,
                               atol=0)
