"""m2f_mm: Mask2Former as a plugin of the OpenMMLab ecosystem.

Importing it registers our classes in our registries (scope ``'m2f_mm'``)
and adds the name to mmengine's table of packages; it changes nothing else.
The process-wide settings (safe checkpoints, ``m2f_mm::`` config names,
workers that die with their trainer) are one explicit call,
``m2f_mm.utils.register_all_modules()``, which mmengine also makes itself
for every Runner in our scope (see ``utils/setup_env.py``).
"""
__version__ = '0.1.0'

from .utils.mim import register_package_name

register_package_name()  # lets mmengine find m2f_mm.utils.register_all_modules

from . import registry  # noqa: E402,F401
from . import (datasets, deploy, engine, evaluation,  # noqa: E402,F401
               models, task_modules, visualization)  # (registers)
