"""Our deformable attention against mmcv's: the module (names, init,
function), and every sampling path of the table (the compiled op, the dense
sampling matrix, mmcv's grid_sample path) giving the same values and
gradients."""
import pytest
import torch
from mmcv.ops import MultiScaleDeformableAttention
from mmcv.ops.multi_scale_deform_attn import multi_scale_deformable_attn_pytorch

from m2f_mm.models.layers.deformable_attention import (DeformableAttention,
                                                      sampling_path)
from m2f_mm.models.layers.deformable_sampling import (
    SAMPLING_PATHS, choose_path, deformable_sampling_dense)
from m2f_mm.models.layers.deformable_sampling_cpu import (
    deformable_attention_cpu, load_op)
from m2f_mm.models.layers.feature_levels import (FeatureLevels,
                                                 reference_points_of)

SHAPES = [(6, 10), (3, 5), (2, 3)]
CPU_PATHS = ['cpu_op', 'dense', 'grid_sample']


def test_the_compiled_op_is_built():
    """tools/setup.sh compiles it; without it CPU runs fall back silently
    slower, so the suite insists it is there."""
    assert load_op() is not None


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
    attn, query, args = _module_and_inputs()
    outputs = {}
    for path in CPU_PATHS:
        with sampling_path(attn, path):
            outputs[path] = attn(query, *args)
    for path in CPU_PATHS[:-1]:
        torch.testing.assert_close(outputs[path], outputs['grid_sample'],
                                   atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match='unknown sampling path'):
        with sampling_path(attn, 'gridsample'):
            pass


def test_sampling_path_is_per_model_and_restored():
    """Setting a path changes only the model it is given, and only inside
    the block; the automatic choice is the compiled op on CPU."""
    attn, query, args = _module_and_inputs()
    other, _, _ = _module_and_inputs()
    attn.sampling_path = 'dense'  # a module's own setting survives the block
    with sampling_path(attn, 'grid_sample'):
        assert attn.sampling_path == 'grid_sample'
        assert other.sampling_path is None
    assert attn.sampling_path == 'dense'
    value = torch.zeros(2, 100, 2, 8)
    assert choose_path(value, 100) == 'cpu_op'
    assert 'sampling_path' not in attn.state_dict()


@pytest.mark.parametrize('path', CPU_PATHS)
def test_paths_run_under_cpu_autocast_close_to_float32(path):
    """Mixed precision: under bf16 autocast the module samples in float32
    (the dense path used to fail in scatter_add on a dtype mismatch)."""
    attn, query, args = _module_and_inputs()
    with sampling_path(attn, path):
        full = attn(query, *args)
        with torch.autocast('cpu', dtype=torch.bfloat16):
            mixed = attn(query, *args)
    torch.testing.assert_close(mixed.float(), full, atol=0.1, rtol=0.05)


@pytest.mark.parametrize('path', ['cpu_op', 'dense'])
def test_non_finite_offsets_are_named_not_an_index_error(path):
    torch.manual_seed(0)
    value, reference, offsets, logits = _fused_inputs()
    with torch.no_grad():
        offsets[0, 3, 1, 0, 0, 0] = float('nan')
    levels = FeatureLevels.of(SHAPES, 'cpu')
    with pytest.raises(FloatingPointError, match='non-finite sampling'):
        SAMPLING_PATHS[path](value, levels, reference, offsets, logits)


def _fused_inputs(dtype=torch.float32, batch=2, queries=7, heads=4, dims=8,
                  points=2, ref_batch=1, ref_levels=1):
    """value, reference points, pixel offsets and attention logits."""
    num_value = sum(h * w for h, w in SHAPES)
    value = torch.randn(batch, num_value, heads, dims, dtype=dtype)
    reference = torch.rand(ref_batch, queries, ref_levels, 2, dtype=dtype)
    offsets = torch.randn(batch, queries, heads, len(SHAPES), points, 2,
                          dtype=dtype) * 2
    logits = torch.randn(batch, queries, heads, len(SHAPES) * points,
                         dtype=dtype)
    return value.requires_grad_(), reference, offsets.requires_grad_(), \
        logits.requires_grad_()


def _attention_in_pytorch(value, reference, offsets, logits, levels):
    """What the module computes around mmcv's pure-PyTorch path."""
    batch, queries, heads, num_levels, points, _ = offsets.shape
    normalizer = levels.spatial_shapes.flip(-1).to(offsets.dtype)
    locations = (reference[:, :, None, :, None, :] +
                 offsets / normalizer[None, None, None, :, None, :])
    weights = logits.softmax(-1).view(batch, queries, heads, num_levels,
                                      points)
    return multi_scale_deformable_attn_pytorch(value, levels.spatial_shapes,
                                               locations, weights)


@pytest.mark.parametrize('ref_batch,ref_levels', [(1, 1), (2, 3)])
def test_fused_op_equals_pytorch_softmax_locations_and_sampling(
        ref_batch, ref_levels):
    torch.manual_seed(0)
    value, reference, offsets, logits = _fused_inputs(
        ref_batch=ref_batch, ref_levels=ref_levels)
    levels = FeatureLevels.of(SHAPES, 'cpu')
    ref = _attention_in_pytorch(value, reference, offsets, logits, levels)
    out = deformable_attention_cpu(value, levels.spatial_shapes,
                                   levels.level_start_index, reference,
                                   offsets, logits)
    torch.testing.assert_close(out, ref, atol=2e-6, rtol=1e-6)
    grad = torch.randn_like(ref)
    inputs = (value, offsets, logits)
    for a, b in zip(torch.autograd.grad(out, inputs, grad),
                    torch.autograd.grad(ref, inputs, grad)):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-5)


def test_fused_op_gradients_pass_gradcheck():
    torch.manual_seed(0)
    value, reference, offsets, logits = _fused_inputs(
        torch.float64, batch=1, queries=3, heads=2, dims=3)
    levels = FeatureLevels.of(SHAPES, 'cpu')
    assert torch.autograd.gradcheck(
        lambda v, o, g: deformable_attention_cpu(
            v, levels.spatial_shapes, levels.level_start_index, reference, o,
            g), (value, offsets, logits))


def test_fused_op_refuses_mismatched_inputs():
    value, reference, offsets, logits = _fused_inputs()
    levels = FeatureLevels.of(SHAPES, 'cpu')
    with pytest.raises(RuntimeError, match='logits must be'):
        deformable_attention_cpu(value, levels.spatial_shapes,
                                 levels.level_start_index, reference, offsets,
                                 logits[..., :4])
    with pytest.raises(RuntimeError, match='reference points must be'):
        deformable_attention_cpu(value, levels.spatial_shapes,
                                 levels.level_start_index,
                                 reference[:, :3], offsets, logits)


def test_module_with_non_finite_offsets_raises_on_the_fused_op():
    attn, query, args = _module_and_inputs()
    with torch.no_grad():
        attn.sampling_offsets.bias[3] = float('nan')
    with sampling_path(attn, 'cpu_op'), pytest.raises(
            FloatingPointError, match='non-finite sampling'):
        attn(query, *args)
