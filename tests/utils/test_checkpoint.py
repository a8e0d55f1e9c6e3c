"""Runner checkpoints save and resume under torch >= 2.6 with weights_only
loading kept on; a checkpoint that pickles a callable is refused."""
import os
import pickle

import pytest
import torch
from mmengine.runner import Runner
from mmengine.runner.checkpoint import CheckpointLoader

import m2f_mm  # noqa: F401
from m2f_mm.utils import UnsafeCheckpointError
from m2f_mm.testing.tiny_model import TinyModel


def _runner(work_dir, max_iters, resume=False, checkpoint=None):
    data = [dict(inputs=torch.randn(2)) for _ in range(8)]
    return Runner(
        model=TinyModel(), work_dir=str(work_dir),
        train_dataloader=dict(dataset=data, batch_size=2,
                              sampler=dict(type='DefaultSampler', shuffle=True),
                              collate_fn=dict(type='default_collate')),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=0.01)),
        param_scheduler=dict(type='MultiStepLR', milestones=[3],
                             by_epoch=False, gamma=0.5),
        default_hooks=dict(checkpoint=checkpoint or dict(
            type='CheckpointHook', interval=4, by_epoch=False)),
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
        load_checkpoint(TinyModel(), str(path))


def test_missing_checkpoint_names_the_file(tmp_path):
    loader = CheckpointLoader._get_checkpoint_loader('x.pth')
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        loader(str(tmp_path / 'nope.pth'), 'cpu')


class _Marker:
    """Unpickling it creates a file: proof that loading ran its code."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (os.system, (f'touch {self.path}', ))


def _remote_names():
    """One name per remote scheme, and the URL mmengine maps it to."""
    from mmengine.runner import checkpoint as mc
    from m2f_mm.utils.checkpoint import torchvision_urls
    urls = {'https://download.example.org/models/m2f_r50.pth':
            'https://download.example.org/models/m2f_r50.pth',
            'torchvision://resnet18': torchvision_urls()['resnet18']}
    for prefix, table in (('open-mmlab://', mc.get_external_models()),
                          ('mmcls://', mc.get_mmcls_models())):
        name, url = next((k, v) for k, v in table.items()
                         if v.startswith('https://'))
        urls[prefix + name] = url
    return urls


@pytest.mark.parametrize('name', list(_remote_names()))
def test_remote_checkpoints_load_weights_only(name, tmp_path, monkeypatch):
    """A checkpoint named by URL or model-zoo name, found in the hub cache
    under the name its URL maps to, is refused when it pickles code (the code
    does not run) and loads when it is plain tensors (offline: the cache is
    what a download would have written)."""
    from m2f_mm.utils.checkpoint import cached_url_path
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    cached = cached_url_path(_remote_names()[name])
    assert cached.startswith(str(tmp_path / 'torch_home'))
    os.makedirs(os.path.dirname(cached))
    marker = tmp_path / 'code_ran'
    torch.save({'state_dict': {}, 'meta': _Marker(marker)}, cached)
    with pytest.raises(UnsafeCheckpointError, match=os.path.basename(cached)):
        CheckpointLoader.load_checkpoint(name, map_location='cpu')
    assert not marker.exists()
    model = TinyModel()
    # mmcls:// keeps the backbone's weights, without the prefix
    prefix = 'backbone.' if name.startswith('mmcls://') else ''
    torch.save({'state_dict': {prefix + k: v
                               for k, v in model.state_dict().items()}},
               cached)
    loaded = CheckpointLoader.load_checkpoint(name, map_location='cpu')
    state = loaded.get('state_dict', loaded)
    assert torch.equal(state['linear.weight'], model.linear.weight)


def test_url_checkpoint_refused_in_load_checkpoint_and_init_cfg(
        tmp_path, monkeypatch):
    """The entry points users meet: load_checkpoint (tools/infer.py,
    load_from) and a backbone's init_cfg=Pretrained."""
    from mmdet.models.backbones import ResNet
    from mmengine.runner import load_checkpoint
    from m2f_mm.utils.checkpoint import cached_url_path
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    url = 'https://download.example.org/models/poisoned.pth'
    os.makedirs(os.path.dirname(cached_url_path(url)))
    marker = tmp_path / 'code_ran'
    torch.save({'state_dict': {}, 'meta': _Marker(marker)},
               cached_url_path(url))
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint(TinyModel(), url)
    backbone = ResNet(depth=18, init_cfg=dict(type='Pretrained',
                                               checkpoint=url))
    with pytest.raises(UnsafeCheckpointError):
        backbone.init_weights()
    assert not marker.exists()


@pytest.mark.parametrize('kind', ['empty', 'truncated', 'raw_pickle', 'text'])
def test_unreadable_checkpoint_names_the_file_and_the_problem(kind, tmp_path):
    from m2f_mm.utils.checkpoint import CorruptCheckpointError
    path = tmp_path / f'{kind}.pth'
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': {'w': torch.ones(1000)}}, good)
    content = {'empty': b'', 'truncated': good.read_bytes()[:3000],
               'raw_pickle': pickle.dumps({'state_dict': {}}),
               'text': b'not a checkpoint'}[kind]
    path.write_bytes(content)
    expected = {'empty': 'empty', 'truncated': 'truncated',
                'raw_pickle': 'raw pickle', 'text': 'not a checkpoint'}[kind]
    with pytest.raises(CorruptCheckpointError, match=expected) as err:
        CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert str(path) in str(err.value)
    # a legacy (non-zip) torch.save of plain tensors still loads
    legacy = tmp_path / 'legacy.pth'
    torch.save({'w': torch.ones(2)}, legacy,
               _use_new_zipfile_serialization=False)
    assert torch.equal(CheckpointLoader.load_checkpoint(str(legacy))['w'],
                       torch.ones(2))


_KILLED_DURING_WRITE = r'''
import os, sys
import torch
from mmengine.fileio import LocalBackend
import importlib.util
spec = importlib.util.spec_from_file_location('test_checkpoint', {test_file!r})
test_checkpoint = importlib.util.module_from_spec(spec)
spec.loader.exec_module(test_checkpoint)
_runner = test_checkpoint._runner
calls = []
put = LocalBackend.put


def dying_put(self, obj, filepath):
    calls.append(filepath)
    if str(filepath).endswith(('.pth', '.tmp')) and len(calls) == 2:
        with open(filepath, 'wb') as f:  # half a checkpoint, then SIGKILL
            f.write(obj[:len(obj) // 2])
        os._exit(9)
    put(self, obj, filepath)


LocalBackend.put = dying_put
runner = _runner({work!r}, 6, checkpoint={hook!r})
runner.train()
'''


@pytest.mark.slow
def test_kill_during_a_checkpoint_write_keeps_the_previous_one(tmp_path):
    """max_keep_ckpts=1, killed while writing the second checkpoint: the
    first is still there, complete, named by last_checkpoint, and a resume
    continues from it (mmengine's own hook deleted it before writing)."""
    import subprocess
    import sys
    hook = dict(type='M2FCheckpointHook', interval=2, by_epoch=False,
                max_keep_ckpts=1)
    script = _KILLED_DURING_WRITE.format(test_file=os.path.abspath(__file__),
                                         work=str(tmp_path), hook=hook)
    proc = subprocess.run([sys.executable, '-c', script], capture_output=True,
                          text=True)
    assert proc.returncode == 9, proc.stderr[-2000:]
    assert (tmp_path / 'iter_2.pth').is_file()
    assert not (tmp_path / 'iter_4.pth').exists()
    last = (tmp_path / 'last_checkpoint').read_text().strip()
    assert last.endswith('iter_2.pth')
    torch.load(last, weights_only=True)  # complete
    resumed = _runner(tmp_path, 4, resume=True, checkpoint=hook)
    resumed.train()
    assert resumed.iter == 4

