"""Training stops at the first NaN loss, naming the iteration and the term,
and the last checkpoint keeps the last good weights."""
import os.path as osp

import pytest
import torch
from mmengine.runner import Runner

import m2f_mm  # noqa: F401
from m2f_mm.testing.tiny_model import TinyModel


def test_training_stops_at_a_nan_loss_naming_it(tmp_path):
    data = [dict(inputs=torch.ones(2)) for _ in range(10)]
    data[5] = dict(inputs=torch.full((2, ), float('nan')))  # iteration 6
    runner = Runner(
        model=TinyModel(), work_dir=str(tmp_path),
        train_dataloader=dict(dataset=data, batch_size=1,
                              sampler=dict(type='DefaultSampler',
                                           shuffle=False),
                              collate_fn=dict(type='default_collate')),
        train_cfg=dict(by_epoch=False, max_iters=10),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        default_hooks=dict(checkpoint=dict(type='M2FCheckpointHook',
                                           interval=2, by_epoch=False)),
        custom_hooks=[dict(type='FiniteLossHook')], default_scope='m2f_mm')
    with pytest.raises(FloatingPointError,
                       match=r'iteration 6: non-finite loss loss_fit = nan.*'
                       r'iter_4.pth'):
        runner.train()
    assert not osp.exists(tmp_path / 'iter_6.pth')
    good = torch.load(tmp_path / 'iter_4.pth', weights_only=True)
    assert torch.isfinite(good['state_dict']['linear.weight']).all()
