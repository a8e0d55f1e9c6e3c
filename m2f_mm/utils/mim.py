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
(:func:`register_package_name`: a registration, which is also how mmengine
knows to call ``m2f_mm.utils.register_all_modules`` for our scope);
``register_all_modules`` (:func:`install_config_names`) makes mmengine's
``get_installed_path`` answer m2f_mm's own location from its code. Scripts
that parse an ``m2f_mm::`` name before a Runner exists call
``m2f_mm.utils.register_all_modules()`` first.
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


def register_package_name() -> None:
    """Add m2f_mm to mmengine's table of OpenMMLab packages (idempotent; the
    one thing ``import m2f_mm`` adds to mmengine)."""
    config_utils.MODULE2PACKAGE.setdefault(PACKAGE, PACKAGE)


def install_config_names() -> None:
    """Let mmengine resolve ``m2f_mm::`` config names from this code's own
    location (idempotent; a global change of mmengine, made by
    ``register_all_modules``)."""
    register_package_name()
    for module in (config_module, hub_module):
        if not getattr(module.get_installed_path, 'm2f_mm_wrapped', False):
            module.get_installed_path = _installed_path(
                module.get_installed_path)
