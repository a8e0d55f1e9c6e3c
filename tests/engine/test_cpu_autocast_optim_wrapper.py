"""tools/train.py --amp without CUDA: the forward of a training step runs
under bfloat16 autocast, the step updates float32 weights."""
import torch
from mmengine.optim import build_optim_wrapper

from m2f_mm.testing.tiny_model import TinyModel


def test_forward_runs_in_bfloat16_and_weights_stay_float32():
    model = TinyModel()
    wrapper = build_optim_wrapper(model, dict(
        type='CPUAutocastOptimWrapper',
        optimizer=dict(type='SGD', lr=0.1)))
    before = model.linear.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model.linear(torch.ones(4, 2))
    assert out.dtype == torch.bfloat16
    wrapper.update_params(out.float().pow(2).mean())
    assert model.linear.weight.dtype == torch.float32
    assert not torch.equal(model.linear.weight, before)
    # outside the context: float32 again
    assert model.linear(torch.ones(1, 2)).dtype == torch.float32
