"""mmdet's YouTubeVISMetric, runnable with NumPy 2."""
import contextlib
from collections import defaultdict

import numpy as np
from mmdet.evaluation.metrics import YouTubeVISMetric

from m2f_mm.registry import METRICS


@contextlib.contextmanager
def _numpy_float_alias():
    """``np.float`` (removed in NumPy 1.24) as the builtin ``float`` inside
    the block only, for ``mmdet.evaluation.functional.ytviseval``, whose
    ``accumulate`` still casts with it; afterwards NumPy is as it was."""
    had = 'float' in np.__dict__
    if not had:
        np.float = float
    try:
        yield
    finally:
        if not had:
            del np.float


@METRICS.register_module()
class M2FYouTubeVISMetric(YouTubeVISMetric):
    """``mmdet.YouTubeVISMetric`` (same arguments, same numbers: YouTube-VIS's
    spatio-temporal mask AP) that runs with NumPy 2, where mmdet 3.3's
    evaluation stops at ``np.float`` (AttributeError), and that evaluates
    more than once (mmdet's leaves its video records a plain dict after the
    first evaluation, and the second, e.g. the next validation of a
    training run, stops at a KeyError)."""

    def compute_metrics(self, results: list) -> dict:
        with _numpy_float_alias():
            return super().compute_metrics(results)

    def evaluate(self, size: int) -> dict:
        try:
            return super().evaluate(size)
        finally:
            self._vis_meta_info = defaultdict(list)
