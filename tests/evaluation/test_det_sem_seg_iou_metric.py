"""DetSemSegIoUMetric on hand-made maps with a known IoU."""
import pytest
import torch

import m2f_mm  # noqa: F401
from m2f_mm.evaluation import DetSemSegIoUMetric


def test_known_iou_and_ignore():
    metric = DetSemSegIoUMetric()
    metric.dataset_meta = dict(classes=('a', 'b'))
    gt = torch.tensor([[0, 0, 1, 1], [0, 0, 1, 255]])
    pred = torch.tensor([[0, 0, 0, 1], [0, 0, 1, 0]])  # one b pixel called a
    metric.process({}, [dict(pred_sem_seg=dict(sem_seg=pred[None]),
                             gt_sem_seg=dict(sem_seg=gt[None]))])
    result = metric.evaluate(1)
    # a: inter 4, union 5 -> 80; b: inter 2, union 3 -> 66.67 (255 ignored)
    assert result['mIoU'] == pytest.approx((80 + 66.67) / 2, abs=0.01)


def test_missing_semantic_output_is_explained():
    metric = DetSemSegIoUMetric()
    metric.dataset_meta = dict(classes=('a', ))
    with pytest.raises(KeyError, match='semantic_on'):
        metric.process({}, [dict(gt_sem_seg=dict(sem_seg=torch.zeros(1, 2, 2)))])
