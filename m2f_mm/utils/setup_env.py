"""``register_all_modules``: the one call that changes mmengine for the
whole process, and the OpenMMLab packages' common entry point.

``import m2f_mm`` registers our classes and adds our name to mmengine's table
of packages, nothing else. :func:`register_all_modules` then makes, once:

* safe checkpoints (``checkpoint.install_safe_checkpoints``): every
  checkpoint scheme of mmengine loads with ``weights_only=True`` and names
  the file it refuses, and the Runner's message hub saves as plain values;
* ``m2f_mm::`` config names (``mim.install_config_names``);
* data-loader workers that die with their trainer
  (``worker_init.install_worker_lifeline``);
* and, by default, ``'m2f_mm'`` the default scope.

mmengine calls it itself (``register_all_modules(False)``) the first time a
Runner or inferencer builds one of our registries that names no import
location (the visualiser, loops, optimisers...), so every Runner whose
``default_scope`` is ``'m2f_mm'`` (our configs, mmdet's and mmseg's own
``tools/train.py`` and ``tools/test.py`` on them) gets it before it loads or
saves a checkpoint. Our tools and ``M2FInferencer`` call it first thing;
a script of yours calls it as mmdet's:
``from m2f_mm.utils import register_all_modules; register_all_modules()``.
"""
import datetime
import warnings

from mmengine import DefaultScope

from .checkpoint import install_safe_checkpoints
from .mim import install_config_names
from .worker_init import install_worker_lifeline


def register_all_modules(init_default_scope: bool = True) -> None:
    """Make the process-wide changes above (idempotent), and (by default)
    make ``'m2f_mm'`` the default scope. Our classes are registered already:
    importing ``m2f_mm.utils`` imports the package.

    Args:
        init_default_scope: set the default scope to ``'m2f_mm'``; when
            another is current, a new ``'m2f_mm'`` instance is made current.
    """
    install_safe_checkpoints()
    install_config_names()
    install_worker_lifeline()
    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created('m2f_mm'):
        DefaultScope.get_instance('m2f_mm', scope_name='m2f_mm')
    elif current.scope_name != 'm2f_mm':
        warnings.warn(f'The current default scope "{current.scope_name}" is '
                      'not "m2f_mm"; a new default scope instance is made')
        name = f'm2f_mm-{datetime.datetime.now()}'
        DefaultScope.get_instance(name, scope_name='m2f_mm')
