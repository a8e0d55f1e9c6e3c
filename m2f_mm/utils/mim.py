"""mim-style config names:
``_base_ = ['m2f_mm::mask2former/m2f_r50_coco_panoptic.py']`` and
``mmengine.hub.get_config('m2f_mm::mask2former/quickstart/m2f_r18_shapes_panoptic.py')``.

mmengine resolves ``package::path`` through the package's ``.mim/configs``
(here ``mask2former/``, a link to the repository's ``configs/``: mmengine
wants a folder after ``::``) and ``.mim/model-index.yml``,
but (1) only for packages in its own table of OpenMMLab projects, and (2) it
looks for the package under its distribution's location, which for an
editable install (``pip install -e``, what ``tools/setup.sh`` does) is
site-packages, not the source tree. Importing m2f_mm adds it to the table
and answers m2f_mm's own location from its code. Scripts that parse a config
before importing m2f_mm (mmdet's and mmseg's ``tools/train.py`` import
``custom_imports`` only after reading the ``_base_`` files) need ``import
m2f_mm`` first.
"""
import os.path as osp

import mmengine.config.config as config_module
import mmengine.hub.hub as hub_module
from mmengine.config import utils as config_utils

PACKAGE = 'm2f_mm'


def _installed_path(original):
    def installed_path(package: str) -> str:
        if package == PACKAGE:  # where the code is, editable or not
            return osp.dirname(osp.dirname(osp.abspath(__file__)))
        return original(package)
    installed_path.m2f_mm_wrapped = True
    return installed_path


def register_config_package() -> None:
    """Let mmengine resolve ``m2f_mm::`` config names (idempotent)."""
    config_utils.MODULE2PACKAGE.setdefault(PACKAGE, PACKAGE)
    for module in (config_module, hub_module):
        if not getattr(module.get_installed_path, 'm2f_mm_wrapped', False):
            module.get_installed_path = _installed_path(
                module.get_installed_path)
