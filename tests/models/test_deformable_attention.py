"""Our deformable attention against mmcv's pure-PyTorch path: the dense
sampling-matrix path gives the same values and gradients."""
import torch
from mmcv.ops.multi_scale_deform_attn import multi_scale_deformable_attn_pytorch

from mmcv.ops import MultiScaleDeformableAttention

from m2f_mm.models.layers.deformable_attention import (
    DeformableAttention, FeatureLevels, deformable_sampling_dense,
    reference_points_of)

SHAPES = [(6, 10), (3, 5), (2, 3)]


def test_dense_sampling_equals_mmcv_pytorch_path_with_gradients():
    torch.manual_seed(0)
    num_value = sum(h * w for h, w in SHAPES)
    value = torch.randn(2, num_value, 4, 8, requires_grad=True)
    # locations partly outside [0, 1] exercise the zero padding
    loc = (torch.rand(2, 7, 4, 3, 2, 2) * 1.4 - 0.2).requires_grad_()
    weights = torch.rand(2, 7, 4, 3, 2).requires_grad_()
    ref = multi_scale_deformable_attn_pytorch(value, torch.tensor(SHAPES), loc,
                                              weights)
    out = deformable_sampling_dense(value, SHAPES, loc, weights)
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-5)
    grad = torch.randn_like(ref)
    for a, b in zip(torch.autograd.grad(out, (value, loc, weights), grad),
                    torch.autograd.grad(ref, (value, loc, weights), grad)):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)


def _module_and_inputs():
    """A seeded module over SHAPES, its queries and the other forward args
    (position, reference points, spatial shapes, level starts)."""
    torch.manual_seed(0)
    attn = DeformableAttention(16, 2, 3, 2)
    attn.init_weights()
    num_value = sum(h * w for h, w in SHAPES)
    query = torch.randn(2, num_value, 16)
    args = (torch.randn(1, num_value, 16), reference_points_of(SHAPES, 'cpu'),
            FeatureLevels.of(SHAPES, 'cpu'))
    return attn, query, args


def test_feature_levels_layout():
    levels = FeatureLevels.of(SHAPES, 'cpu')
    assert levels.shapes == tuple(SHAPES)
    assert levels.spatial_shapes.tolist() == [list(s) for s in SHAPES]
    assert levels.level_start_index.tolist() == [0, 60, 75]


def test_same_parameters_init_and_function_as_mmcv_module():
    """Same parameter names (checkpoint keys), the same initial weights
    from the same seed, and the same output as mmcv's module."""
    attn, query, (pos, ref_points, levels) = _module_and_inputs()
    torch.manual_seed(0)
    ours = DeformableAttention(16, 2, 3, 2)
    torch.manual_seed(0)
    theirs = MultiScaleDeformableAttention(16, 2, 3, 2, dropout=0.0,
                                           batch_first=True)
    assert ours.state_dict().keys() == theirs.state_dict().keys()
    for key, value in theirs.state_dict().items():
        assert torch.equal(ours.state_dict()[key], value), key
    torch.manual_seed(1)
    theirs.init_weights()
    torch.manual_seed(1)
    ours.init_weights()
    for key, value in theirs.state_dict().items():
        assert torch.equal(ours.state_dict()[key], value), key
    with torch.no_grad():  # non-trivial offsets and attention weights
        for p in theirs.parameters():
            p.add_(0.1 * torch.randn_like(p))
    ours.load_state_dict(theirs.state_dict())
    expected = theirs(query, query_pos=pos, reference_points=ref_points,
                      spatial_shapes=levels.spatial_shapes,
                      level_start_index=levels.level_start_index)
    torch.testing.assert_close(ours(query, pos, ref_points, levels), expected,
                               atol=1e-5, rtol=1e-5)


def test_module_paths_agree():
    import m2f_mm.models.layers.deformable_attention as da
    attn, query, args = _module_and_inputs()
    dense = attn(query, *args)
    limit = da.DENSE_MAX_ELEMENTS
    try:
        da.DENSE_MAX_ELEMENTS = 0  # force mmcv's grid_sample path
        sampled = attn(query, *args)
    finally:
        da.DENSE_MAX_ELEMENTS = limit
    torch.testing.assert_close(dense, sampled, atol=1e-5, rtol=1e-5)


def test_dense_path_runs_under_cpu_autocast_close_to_float32():
    """Mixed precision: under bf16 autocast the values are bf16 and the
    attention weights float32 (softmax); the dense path used to fail in
    scatter_add on the dtype mismatch."""
    attn, query, args = _module_and_inputs()
    full = attn(query, *args)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        mixed = attn(query, *args)
    torch.testing.assert_close(mixed.float(), full, atol=0.1, rtol=0.05)


def test_non_finite_locations_are_named_not_an_index_error():
    num_value = sum(h * w for h, w in SHAPES)
    value = torch.randn(1, num_value, 4, 8)
    loc = torch.rand(1, 7, 4, 3, 2, 2)
    loc[0, 3, 1, 0, 0, 0] = float('nan')
    weights = torch.rand(1, 7, 4, 3, 2)
    import pytest
    with pytest.raises(FloatingPointError, match='non-finite sampling'):
        deformable_sampling_dense(value, SHAPES, loc, weights)
