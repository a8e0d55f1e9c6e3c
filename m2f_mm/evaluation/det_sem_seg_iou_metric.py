"""mmseg's mIoU for the semantic output of an mmdet-side model."""
from typing import Sequence

from mmseg.evaluation.metrics import IoUMetric

from m2f_mm.registry import METRICS


@METRICS.register_module()
class DetSemSegIoUMetric(IoUMetric):
    """mmseg's ``IoUMetric`` reading ``DetDataSample``s.

    mmdet keeps semantic maps as ``PixelData(sem_seg=...)`` where mmseg uses
    ``PixelData(data=...)``; everything else (accumulation, mIoU/mAcc, class
    table) is mmseg's. Needs ``test_cfg.semantic_on=True`` and
    ``gt_sem_seg`` from the pipeline (``LoadPanopticAnnotations(with_seg=True)``).
    """

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Accumulate intersections and unions of one batch."""
        num_classes = len(self.dataset_meta['classes'])
        for sample in data_samples:
            if 'pred_sem_seg' not in sample:
                raise KeyError('DetSemSegIoUMetric needs pred_sem_seg: set '
                               'model.test_cfg.semantic_on=True')
            pred = sample['pred_sem_seg']['sem_seg'].squeeze()
            label = sample['gt_sem_seg']['sem_seg'].squeeze().to(pred)
            self.results.append(self.intersect_and_union(
                pred, label, num_classes, self.ignore_index))
