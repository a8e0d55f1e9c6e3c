"""Metrics m2f_mm adds to mmdet's and mmseg's."""
from .det_sem_seg_iou_metric import DetSemSegIoUMetric

__all__ = ['DetSemSegIoUMetric']
