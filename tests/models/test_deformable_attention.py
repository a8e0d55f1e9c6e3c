"""Our deformable attention against mmcv's pure-PyTorch path: the dense
sampling-matrix path gives the same values and gradients."""
import torch
from mmcv.ops.multi_scale_deform_attn import multi_scale_deformable_attn_pytorch

from m2f_mm.models.layers.deformable_attention import (
    DeformableAttention, deformable_sampling_dense, reference_points_of)

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
            torch.tensor(SHAPES), torch.tensor([0, 60, 75]))
    return attn, query, args


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
