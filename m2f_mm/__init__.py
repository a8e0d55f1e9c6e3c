"""m2f_mm: Mask2Former as a plugin of the OpenMMLab ecosystem."""
__version__ = '0.1.0'

from .utils.checkpoint import install_safe_checkpoints

install_safe_checkpoints()

from .utils.mim import register_config_package  # noqa: E402

register_config_package()  # 'm2f_mm::<config>' names

from . import registry  # noqa: E402,F401
from . import (datasets, deploy, engine, evaluation,  # noqa: E402,F401
               models, task_modules, visualization)  # (registers)

engine.install_worker_init()
