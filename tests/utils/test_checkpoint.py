"""Runner checkpoints save and resume under torch >= 2.6 with weights_only
loading kept on; a checkpoint that pickles a callable is refused."""
import os
import pickle

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.runner.checkpoint import CheckpointLoader
from torch import nn

import m2f_mm  # noqa: F401
from m2f_mm.utils import UnsafeCheckpointError


class _TinyModel(BaseModel):
    """y = w.x + b, squared loss."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(inputs)
        if mode == 'loss':
            return dict(loss=out.pow(2).mean())
        return out


def _runner(work_dir, max_iters, resume=False):
    data = [dict(inputs=torch.randn(2)) for _ in range(8)]
    return Runner(
        model=_TinyModel(), work_dir=str(work_dir),
        train_dataloader=dict(dataset=data, batch_size=2,
                              sampler=dict(type='DefaultSampler', shuffle=True),
                              collate_fn=dict(type='default_collate')),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=0.01)),
        param_scheduler=dict(type='MultiStepLR', milestones=[3],
                             by_epoch=False, gamma=0.5),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=4,
                                           by_epoch=False)),
        resume=resume, default_scope='m2f_mm')


def test_runner_saves_and_a_new_runner_resumes(tmp_path):
    first = _runner(tmp_path, 4)
    first.train()
    ckpt_path = tmp_path / 'iter_4.pth'
    assert ckpt_path.exists()
    # the file loads under plain weights_only=True
    ckpt = torch.load(ckpt_path, weights_only=True)
    assert ckpt['meta']['iter'] == 4
    saved_adam_step = ckpt['optimizer']['state'][0]['step']

    second = _runner(tmp_path, 6, resume=True)
    second.train()  # resumes from iter_4.pth, the latest in work_dir
    assert second.iter == 6
    state = second.optim_wrapper.optimizer.state_dict()['state'][0]
    assert float(state['step']) == float(saved_adam_step) + 2
    # milestone 3 passed before the save: lr halved and still halved
    assert second.optim_wrapper.get_lr()['lr'][0] == pytest.approx(0.005)
    history = second.message_hub.get_scalar('train/loss')
    assert len(history.data[0]) == 6  # 4 restored + 2 new


class _Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned',))


def test_checkpoint_with_a_callable_is_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': _Evil()}, path)
    loader = CheckpointLoader._get_checkpoint_loader(str(path))
    with pytest.raises(UnsafeCheckpointError) as err:
        loader(str(path), 'cpu')
    assert str(path) in str(err.value) and 'system' in str(err.value)
    assert isinstance(err.value, pickle.UnpicklingError)
    # and through mmengine's public loading path
    from mmengine.runner import load_checkpoint
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint(_TinyModel(), str(path))


def test_missing_checkpoint_names_the_file(tmp_path):
    loader = CheckpointLoader._get_checkpoint_loader('x.pth')
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        loader(str(tmp_path / 'nope.pth'), 'cpu')
