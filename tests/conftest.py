"""Shared fixtures: tiny twin models (ours and mmdet's oracle) with equal weights."""
import os
import sys

import pytest
import torch

sys.path.insert(0, os.path.dirname(__file__))
torch.set_num_threads(2)


@pytest.fixture(autouse=True)
def _seed_and_scope():
    """Each test starts seeded and in our scope (tests may switch scopes)."""
    from mmengine.registry import init_default_scope
    import m2f_mm  # noqa: F401
    torch.manual_seed(0)
    init_default_scope('m2f_mm')
