"""The pure mask/class math: pairwise forms agree with elementwise ones and
with the reference formulas."""
import pytest
import torch
import torch.nn.functional as F

from m2f_mm.models.losses import functional as LF


def test_dice_is_diagonal_of_pairwise():
    logits, targets = torch.randn(7, 50), (torch.rand(7, 50) > 0.5).float()
    torch.testing.assert_close(LF.dice_loss(logits, targets),
                               LF.pairwise_dice_loss(logits, targets).diag())


def test_bce_is_diagonal_of_pairwise():
    logits, targets = torch.randn(7, 50), (torch.rand(7, 50) > 0.5).float()
    torch.testing.assert_close(LF.sigmoid_bce(logits, targets),
                               LF.pairwise_sigmoid_bce(logits, targets).diag())


def test_pairwise_bce_equals_brute_force():
    logits, targets = torch.randn(4, 30), torch.rand(3, 30)
    brute = torch.stack([
        torch.stack([F.binary_cross_entropy_with_logits(l, t) for t in targets])
        for l in logits
    ])
    torch.testing.assert_close(LF.pairwise_sigmoid_bce(logits, targets), brute)


def test_dice_of_perfect_and_opposite_predictions():
    target = (torch.rand(3, 100) > 0.5).float()
    perfect = (target * 2 - 1) * 50  # saturated logits
    assert LF.dice_loss(perfect, target).max() < 1e-3
    opposite = -perfect
    # no overlap, and |p| + |t| covers all 100 points: 1 - eps / (100 + eps)
    expected = torch.full((3, ), 1 - 1 / 101)
    torch.testing.assert_close(LF.dice_loss(opposite, target), expected,
                               atol=1e-3, rtol=0)


def test_class_cost_is_negative_probability():
    logits = torch.randn(5, 4)
    labels = torch.tensor([2, 0])
    cost = LF.pairwise_class_cost(logits, labels)
    assert cost.shape == (5, 2)
    torch.testing.assert_close(cost[:, 1], -logits.softmax(-1)[:, 0])


def test_weighted_cross_entropy_normalises_by_weights():
    logits, labels = torch.randn(6, 4), torch.tensor([0, 3, 3, 1, 3, 2])
    weight = torch.tensor([1., 1., 1., 0.1])
    ce = F.cross_entropy(logits, labels, reduction='none')
    expected = (ce * weight[labels]).sum() / weight[labels].sum()
    torch.testing.assert_close(
        LF.weighted_cross_entropy(logits, labels, weight), expected)


@pytest.mark.parametrize('fn', [LF.dice_loss, LF.sigmoid_bce])
def test_empty_input_gives_empty_output(fn):
    out = fn(torch.zeros(0, 10), torch.zeros(0, 10))
    assert out.shape == (0, )
