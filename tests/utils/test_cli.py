"""tools/train.py's --resume: what it resumes from, said plainly."""
import pytest
import torch


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
