"""Metrics m2f_mm adds to mmdet's and mmseg's."""
from .det_sem_seg_iou_metric import DetSemSegIoUMetric
from .m2f_coco_panoptic_metric import M2FCocoPanopticMetric
from .m2f_youtube_vis_metric import M2FYouTubeVISMetric
from ..utils.panoptic_png import id2rgb
from .panoptic_json_metric import PanopticJsonMetric

__all__ = ['DetSemSegIoUMetric', 'M2FCocoPanopticMetric', 'M2FYouTubeVISMetric',
           'PanopticJsonMetric', 'id2rgb']
