"""tools/model_converters/mmdet2m2f.py on checkpoints the test writes."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from m2f_mm.converters import convert_head_key, convert_mmdet_state_dict
from m2f_mm.testing.tools import REPO_ROOT

ROOT = Path(REPO_ROOT)
TOOL = ROOT / 'tools' / 'model_converters' / 'mmdet2m2f.py'


@pytest.mark.slow
def test_cli_converts_an_mmdet_checkpoint_loadable_by_ours(tmp_path):
    from m2f_mm.testing.oracle import build_twins
    ours, ref = build_twins()
    src, dst = tmp_path / 'mmdet.pth', tmp_path / 'ours.pth'
    torch.save({'state_dict': ref.state_dict(), 'meta': {}}, src)
    run = subprocess.run([sys.executable, str(TOOL), str(src), str(dst)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    converted = torch.load(dst, weights_only=True)['state_dict']
    assert set(converted) == set(ours.state_dict())
    for key, value in ours.state_dict().items():
        assert torch.equal(converted[key], value), key


@pytest.mark.slow
def test_cli_refuses_unknown_head_keys_and_missing_files(tmp_path):
    src = tmp_path / 'odd.pth'
    torch.save({'state_dict': {'panoptic_head.mystery.weight': torch.ones(1)}},
               src)
    run = subprocess.run([sys.executable, str(TOOL), str(src),
                          str(tmp_path / 'o.pth')], capture_output=True,
                         text=True, cwd=ROOT)
    assert run.returncode == 1
    assert str(src) in run.stderr and 'mystery' in run.stderr
    run = subprocess.run([sys.executable, str(TOOL), str(tmp_path / 'no.pth'),
                          str(tmp_path / 'o.pth')], capture_output=True,
                         text=True, cwd=ROOT)
    assert run.returncode == 2 and 'no.pth' in run.stderr  # argparse's


def test_key_rules():
    assert convert_head_key('mask_embed.4.bias') == 'mask_mlp.layers.2.bias'
    assert convert_head_key(
        'transformer_decoder.layers.3.norms.2.weight'
    ) == 'transformer_decoder.layers.3.ffn.norm.weight'
    out = convert_mmdet_state_dict({'backbone.conv1.weight': torch.ones(1),
                                    'decode_head.query_feat.weight': torch.ones(1)})
    assert list(out) == ['backbone.conv1.weight',
                         'decode_head.head.query_feat.weight']
    with pytest.raises(KeyError):
        convert_head_key('pixel_decoder.unknown.weight')


class _Evil:
    def __reduce__(self):
        import os
        return (os.system, ('echo pwned', ))


@pytest.mark.slow
def test_cli_refuses_a_malicious_or_corrupt_checkpoint_naming_it(tmp_path):
    evil, broken = tmp_path / 'evil.pth', tmp_path / 'broken.pth'
    torch.save({'state_dict': {}, 'meta': _Evil()}, evil)
    broken.write_bytes(evil.read_bytes()[:200])
    for src, why in ((evil, 'refused to load'), (broken, 'truncated')):
        run = subprocess.run([sys.executable, str(TOOL), str(src),
                              str(tmp_path / 'o.pth')], capture_output=True,
                             text=True, cwd=ROOT)
        assert run.returncode == 1
        assert 'Traceback' not in run.stderr, run.stderr[-2000:]
        assert str(src) in run.stderr and why in run.stderr
