"""Every tool answers a wrong or missing argument with argparse's one-line
error naming the argument and exit code 2, never a traceback: empty strings
(an unset shell variable), missing files, a folder where a file is expected,
a config that is not a Python file."""
import subprocess

import pytest

from m2f_mm.testing.tools import REPO_ROOT, load_tool

CONFIG = 'configs/quickstart/m2f_r18_shapes_panoptic.py'
NOT_PY = 'README.md'  # exists, not a config
FOLDER = 'configs'
MISSING = 'no/such/file.pth'


def _cases(tmp):
    """(tool, argument as argparse names it, argv with {bad} in its place,
    bad values)."""
    ckpt = str(tmp / 'model.pth')
    out = str(tmp / 'out.pth')
    files = ['', MISSING, FOLDER]  # a file is expected
    configs = files + [NOT_PY]
    outputs = ['', FOLDER, f'{NOT_PY}/out.pth']
    return [
        ('tools/train.py', 'config', ['{bad}'], configs),
        ('tools/train.py', '--resume', [CONFIG, '--resume', '{bad}'], files),
        ('tools/train.py', '--work-dir', [CONFIG, '--work-dir', '{bad}'],
         ['', NOT_PY]),
        ('tools/test.py', 'config', ['{bad}', ckpt], configs),
        ('tools/test.py', 'checkpoint', [CONFIG, '{bad}'], files),
        ('tools/test.py', '--onnx', [CONFIG, '--onnx', '{bad}'], files),
        ('tools/test.py', '--out', [CONFIG, ckpt, '--out', '{bad}'],
         outputs),
        ('tools/infer.py', 'config', ['{bad}', ckpt, ckpt], configs),
        ('tools/infer.py', 'checkpoint', [CONFIG, '{bad}', ckpt],
         ['', MISSING]),
        ('tools/infer.py', '--out-dir', [CONFIG, ckpt, ckpt, '--out-dir',
                                         '{bad}'], ['', NOT_PY]),
        ('tools/deploy/export.py', 'config',
         ['{bad}', ckpt, '--task', 'panoptic', '--out', out], configs),
        ('tools/deploy/export.py', 'checkpoint',
         [CONFIG, '{bad}', '--task', 'panoptic', '--out', out], files),
        ('tools/deploy/export.py', '--out',
         [CONFIG, ckpt, '--task', 'panoptic', '--out', '{bad}'], outputs),
        ('tools/quickstart.py', '--config', ['--config', '{bad}'], configs),
        ('tools/model_converters/mmdet2m2f.py', 'src', ['{bad}', out], files),
        ('tools/model_converters/mmdet2m2f.py', 'dst', [ckpt, '{bad}'],
         outputs),
        ('tools/model_converters/official2m2f.py', '--config',
         [ckpt, out, '--config', '{bad}'], configs),
        ('tools/model_converters/official2m2f.py', 'src',
         ['{bad}', out, '--config', CONFIG], files),
        ('tools/model_converters/hf2m2f.py', 'src',
         ['{bad}', out, '--config', CONFIG], ['', MISSING]),
        ('tools/analysis/benchmark.py', 'config', ['{bad}'], configs),
        ('tools/analysis/benchmark_deploy.py', 'config', ['{bad}'], configs),
        ('tools/analysis/benchmark_deploy.py', '--checkpoint',
         [CONFIG, '--checkpoint', '{bad}'], files),
        ('tools/analysis/browse_dataset.py', 'config',
         ['{bad}', '--output-dir', str(tmp)], configs),
        ('tools/analysis/browse_dataset.py', '--output-dir',
         [CONFIG, '--output-dir', '{bad}'], ['', NOT_PY]),
        ('tools/analysis/get_flops.py', 'config', ['{bad}'], configs),
        ('tools/analysis/benchmark_video.py', '--config',
         ['--config', '{bad}'], configs),
        ('tools/analysis/benchmark_train_step.py', '--config',
         ['--config', '{bad}'], configs),
        ('tools/experiments/quickstart_fpn_reference.py', '--work-dir',
         ['--work-dir', '{bad}'], ['', NOT_PY]),
        ('tools/experiments/quickstart_mmdet_reference.py', '--work-dir',
         ['--iters', '1', '--work-dir', '{bad}'], ['', NOT_PY]),
    ]


def test_every_tool_refuses_bad_arguments_in_one_line(tmp_path, capsys,
                                                      monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    (tmp_path / 'model.pth').write_bytes(b'')
    checked = 0
    for tool, name, template, values in _cases(tmp_path):
        main = load_tool(tool).main
        for bad in values:
            argv = [bad if part == '{bad}' else part for part in template]
            with pytest.raises(SystemExit) as exit_info:
                main(argv)
            err = capsys.readouterr().err.strip().splitlines()
            assert exit_info.value.code == 2, (tool, argv, err)
            assert f'error: argument {name}' in err[-1], (tool, argv, err)
            assert not any('Traceback' in line for line in err)
            checked += 1
    assert checked >= 90


def test_test_tool_without_checkpoint_or_onnx_is_refused(capsys,
                                                         monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    with pytest.raises(SystemExit) as exit_info:
        load_tool('tools/test.py').main([CONFIG])
    assert exit_info.value.code == 2
    assert 'give either a CHECKPOINT or --onnx' in capsys.readouterr().err


def test_cluster_script_usage():
    proc = subprocess.run(['bash', 'tools/slurm_cluster.sh', 'sideways'],
                          cwd=REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == \
        'usage: bash tools/slurm_cluster.sh up|down DIR'
