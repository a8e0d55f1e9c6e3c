"""Mixed precision for training on the CPU, where mmengine's
``AmpOptimWrapper`` refuses to run."""
import contextlib

import torch
from mmengine.optim import OptimWrapper

from m2f_mm.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUAutocastOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward (``optim_context``: data preprocessing
    and the loss) runs under ``torch.autocast('cpu', dtype=bfloat16)``;
    bfloat16 keeps float32's range, so no loss scaling. What
    ``tools/train.py --amp`` uses without CUDA (mmengine's
    ``AmpOptimWrapper`` asserts a GPU, NPU, MLU or MUSA device). The parts
    the official code keeps in float32 stay there (deformable sampling,
    matching, set losses: ``tests/models/segmentors/test_mixed_precision.py``).
    """

    @contextlib.contextmanager
    def optim_context(self, model):
        with super().optim_context(model), torch.autocast(
                'cpu', dtype=torch.bfloat16):
            yield
