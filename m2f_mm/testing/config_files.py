"""Reading the repository's config files in tests."""
import os.path as osp

import pytest
from mmengine.config import Config


def load_config_or_skip(path: str) -> Config:
    """The config, its custom imports done; a skip naming the package when
    one it imports besides m2f_mm is not installed (configs/mixing/'s
    mmpretrain backbone)."""
    cfg = Config.fromfile(path, import_custom_modules=False)
    for module in cfg.get('custom_imports', {}).get('imports', []):
        if not module.startswith('m2f_mm'):
            pytest.importorskip(module, reason=f'{osp.basename(path)} needs '
                                f'{module}, which does not import here')
    return Config.fromfile(path)
