"""mmdet's CocoPanopticMetric, refusing ground truth it cannot score."""
from typing import Optional

from mmdet.evaluation import CocoPanopticMetric

from m2f_mm.registry import METRICS


@METRICS.register_module()
class M2FCocoPanopticMetric(CocoPanopticMetric):
    """``mmdet.CocoPanopticMetric`` (same arguments) that refuses, with the
    file named, ground truth without a single segment (mmdet: a
    ``ZeroDivisionError`` after the whole evaluation)."""

    def __init__(self, ann_file: Optional[str] = None, **mmdet_args) -> None:
        super().__init__(ann_file=ann_file, **mmdet_args)
        self.ann_file = ann_file

    def compute_metrics(self, results: list) -> dict:
        if self._coco_api is not None and not any(
                self._coco_api.imgToAnns.get(image_id)
                for image_id in self._coco_api.imgs):
            raise ValueError(
                f'{self.ann_file}: no ground-truth segment in any image: PQ '
                'is undefined; check the annotation file (segments_info)')
        return super().compute_metrics(results)
