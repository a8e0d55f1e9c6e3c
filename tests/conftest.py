"""Every test starts seeded, in our default scope, after m2f_mm's one
process-wide call (``register_all_modules``: safe checkpoints, ``m2f_mm::``
names, worker lifeline), as our tools and mmengine's Runner make it.
Fixtures and oracle builders are ``m2f_mm.testing``."""
import os

import pytest
import torch

#: Threads per test process: the machine's cores shared by pytest-xdist's
#: workers (README's test command runs two; two workers of two threads on
#: 2 cores oversubscribe them). The tools a test launches inherit it.
THREADS = max(1, (os.cpu_count() or 1) //
              int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1')))
torch.set_num_threads(min(THREADS, 2))
if 'PYTEST_XDIST_WORKER_COUNT' in os.environ:
    os.environ.setdefault('OMP_NUM_THREADS', str(THREADS))


@pytest.fixture(autouse=True)
def _seed_and_scope():
    """Each test starts seeded and in our scope (tests may switch scopes)."""
    from mmengine.registry import init_default_scope

    from m2f_mm.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    torch.manual_seed(0)
    init_default_scope('m2f_mm')
