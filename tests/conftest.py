"""Every test starts seeded, in our default scope, after m2f_mm's one
process-wide call (``register_all_modules``: safe checkpoints, ``m2f_mm::``
names, worker lifeline), as our tools and mmengine's Runner make it.
Fixtures and oracle builders are ``m2f_mm.testing``."""
import pytest
import torch

torch.set_num_threads(2)


@pytest.fixture(autouse=True)
def _seed_and_scope():
    """Each test starts seeded and in our scope (tests may switch scopes)."""
    from mmengine.registry import init_default_scope

    from m2f_mm.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    torch.manual_seed(0)
    init_default_scope('m2f_mm')
