"""tools/train.py's --resume: what it resumes from, said plainly."""
import pytest
import torch

from m2f_mm.testing.tools import REPO_ROOT


def test_resume_says_what_it_resumes_from(tmp_path, capsys):
    from mmengine.config import Config
    from m2f_mm.utils.cli import resolve_resume
    cfg = Config(dict(work_dir=str(tmp_path), resume=False, load_from=None))
    resolve_resume(cfg, 'auto')  # a fresh work dir: from the start, said so
    assert not cfg.resume and 'no checkpoint yet' in capsys.readouterr().out
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_8.pth'))
    with pytest.raises(FileNotFoundError, match='iter_8.pth'):
        resolve_resume(cfg, 'auto')
    torch.save({}, tmp_path / 'iter_8.pth')
    resolve_resume(cfg, 'auto')
    assert cfg.resume and cfg.load_from == str(tmp_path / 'iter_8.pth')
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        resolve_resume(cfg, str(tmp_path / 'nope.pth'))


def test_a_misspelt_cfg_option_is_refused_with_the_closest_key():
    import argparse
    import os.path as osp
    from m2f_mm.utils.cli import load_config
    root = REPO_ROOT
    config = osp.join(root, 'configs', 'quickstart', 'm2f_r18_shapes_panoptic.py')
    args = argparse.Namespace(config=config, launcher='none', local_rank=0,
                              work_dir=None,
                              cfg_options={'trian_cfg.max_iters': 2})
    with pytest.raises(KeyError, match="trian_cfg.max_iters.*'train_cfg'"):
        load_config(args)
    # keys of the config and Runner arguments the config leaves out are fine
    args.cfg_options = {'train_cfg.max_iters': 2, 'randomness.seed': 0}
    cfg = load_config(args)
    assert cfg.train_cfg.max_iters == 2 and cfg.randomness.seed == 0
