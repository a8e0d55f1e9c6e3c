"""The matcher's guarantees (DETR-style): optimal on small matrices, batched
equals per-image, empty targets handled, invariant to target order."""
import itertools

import pytest
import torch

import m2f_mm  # noqa: F401
from m2f_mm.registry import TASK_UTILS
from m2f_mm.task_modules import hungarian_match


def _assigner(num_points=64):
    return TASK_UTILS.build(dict(
        type='PointHungarianAssigner', num_points=num_points, match_costs=[
            dict(type='ClassProbCost', weight=2.0),
            dict(type='PointBCECost', weight=5.0),
            dict(type='PointDiceCost', weight=5.0)]))


@pytest.mark.parametrize('n,m', [(4, 4), (5, 3), (6, 2)])
def test_hungarian_equals_brute_force(n, m):
    for trial in range(5):
        cost = torch.rand(n, m)
        rows, cols = hungarian_match(cost)
        best = min(
            sum(cost[r, c] for c, r in enumerate(perm))
            for perm in itertools.permutations(range(n), m))
        assert len(rows) == m
        torch.testing.assert_close(cost[rows, cols].sum(), best)


def test_hungarian_refuses_nan_costs():
    cost = torch.rand(3, 2)
    cost[1, 1] = float('nan')
    with pytest.raises(ValueError, match='NaN'):
        hungarian_match(cost)


def test_empty_targets_match_nothing():
    assigner = _assigner()
    q, g = assigner.assign(torch.randn(5, 4), torch.randn(5, 8, 8),
                           torch.zeros(0, dtype=torch.long),
                           torch.zeros(0, 32, 32, dtype=torch.bool))
    assert q.numel() == 0 and g.numel() == 0


def test_batched_equals_per_image_and_target_order_does_not_matter():
    from m2f_mm.models.losses import MaskSetLoss
    loss = MaskSetLoss(num_classes=3, assigner=dict(
        type='PointHungarianAssigner', num_points=64, match_costs=[
            dict(type='ClassProbCost', weight=2.0),
            dict(type='PointBCECost', weight=5.0),
            dict(type='PointDiceCost', weight=5.0)]))
    cls, masks = torch.randn(2, 6, 4), torch.randn(2, 6, 16, 16)
    labels = [torch.tensor([0, 2, 1]), torch.tensor([1])]
    gts = [torch.rand(3, 32, 32) > 0.5, torch.rand(1, 32, 32) > 0.5]
    torch.manual_seed(1)
    batched = loss.match(cls, masks, labels, gts)
    torch.manual_seed(1)  # same random stream: image 0's points, then image 1's
    single = [loss.match(cls[b:b + 1], masks[b:b + 1], labels[b:b + 1],
                         gts[b:b + 1])[0] for b in range(2)]
    for (qb, gb), (qs, gs) in zip(batched, single):
        assert torch.equal(qb, qs) and torch.equal(gb, gs)
    # reversing the targets of image 0 reverses its gt indices only
    perm = torch.tensor([2, 1, 0])
    torch.manual_seed(1)
    permuted = loss.match(cls, masks, [labels[0][perm], labels[1]],
                          [gts[0][perm], gts[1]])
    q0, g0 = batched[0]
    qp, gp = permuted[0]
    assert torch.equal(q0, qp) and torch.equal(perm[gp], g0)


def test_perfect_predictions_are_matched_to_their_targets():
    assigner = _assigner(num_points=400)
    gts = torch.zeros(3, 20, 20, dtype=torch.bool)
    gts[0, :10], gts[1, 10:, :10], gts[2, 10:, 10:] = True, True, True
    labels = torch.tensor([1, 0, 2])
    order = torch.tensor([3, 0, 4])  # the query that predicts each target
    masks = torch.full((5, 20, 20), -20.)
    cls = torch.full((5, 4), -10.)
    for g, q in enumerate(order):
        masks[q][gts[g]] = 20.
        cls[q, labels[g]] = 10.
    q_idx, g_idx = assigner.assign(cls, masks, labels, gts)
    assert torch.equal(order[g_idx], q_idx)
