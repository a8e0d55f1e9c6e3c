"""One writer per task: the result dict of a prediction, the files it is
saved as, and its overlay picture. The inferencer picks one from
:data:`WRITERS`."""
import json
import os.path as osp
from dataclasses import dataclass
from typing import Dict, Tuple

import cv2
import mmcv
import numpy as np
from mmdet.evaluation.functional import INSTANCE_OFFSET
from mmengine.structures import PixelData

from m2f_mm.utils.panoptic_png import id2rgb


@dataclass(frozen=True)
class ClassMeta:
    """Names and colours of the model's classes, things first."""

    classes: Tuple[str, ...]
    num_things: int
    #: one RGB triple per class.
    palette: Tuple[Tuple[int, int, int], ...]

    def visualizer_meta(self) -> dict:
        return dict(classes=self.classes,
                    thing_classes=self.classes[:self.num_things],
                    stuff_classes=self.classes[self.num_things:],
                    palette=list(self.palette))


def _semantic_prediction(sample):
    """(1, H, W) labels: mmdet samples name the field ``sem_seg``, mmseg
    ``data``."""
    seg = sample.pred_sem_seg
    return seg.sem_seg if 'sem_seg' in seg else seg.data


class _DetDrawing:
    """Overlays with mmdet's visualiser (panoptic and instance)."""

    def __init__(self, meta: ClassMeta) -> None:
        from mmdet.visualization import DetLocalVisualizer
        self.meta = meta
        self.visualizer = DetLocalVisualizer(name=f'm2f_det_{id(self)}')
        self.visualizer.dataset_meta = meta.visualizer_meta()

    def _draw(self, rgb: np.ndarray, sample, score_thr: float) -> np.ndarray:
        self.visualizer.add_datasample('x', rgb, sample, draw_gt=False,
                                       show=False, pred_score_thr=score_thr)
        return mmcv.rgb2bgr(self.visualizer.get_image())


class PanopticWriter(_DetDrawing):
    """``panoptic_seg`` (H, W) ids ``label + instance * INSTANCE_OFFSET``,
    -1 void, and ``segments_info``; saved as a COCO-panoptic PNG + JSON."""

    task = 'panoptic'

    def result(self, sample, score_thr: float) -> Dict:
        pan = sample.pred_panoptic_seg.sem_seg[0].cpu().numpy().astype(np.int64)
        pan[pan % INSTANCE_OFFSET == len(self.meta.classes)] = -1  # void
        segments = []
        for seg_id in np.unique(pan):
            if seg_id < 0:
                continue
            label = int(seg_id % INSTANCE_OFFSET)
            segments.append(dict(
                id=int(seg_id), label=label, category=self.meta.classes[label],
                isthing=int(seg_id // INSTANCE_OFFSET > 0),
                area=int((pan == seg_id).sum())))
        return dict(panoptic_seg=pan, segments_info=segments)

    def save(self, out_dir: str, name: str, result: Dict) -> None:
        pan = result['panoptic_seg']
        ids = np.zeros(pan.shape, np.int64)
        segments = []
        for index, seg in enumerate(result['segments_info'], start=1):
            ids[pan == seg['id']] = index
            segments.append(dict(seg, id=index))
        cv2.imwrite(osp.join(out_dir, f'{name}_panoptic.png'),
                    id2rgb(ids)[..., ::-1])
        with open(osp.join(out_dir, f'{name}_panoptic.json'), 'w') as f:
            json.dump(dict(file_name=f'{name}_panoptic.png',
                           segments_info=segments), f)

    def draw(self, image: np.ndarray, sample, score_thr: float) -> np.ndarray:
        if not (sample.pred_panoptic_seg.sem_seg % INSTANCE_OFFSET !=
                len(self.meta.classes)).any():
            return image.copy()  # all void: mmdet's drawer fails
        return self._draw(mmcv.bgr2rgb(image), sample, score_thr)


class InstanceWriter(_DetDrawing):
    """``masks`` (N, H, W) bool, ``labels``, ``scores``, ``bboxes`` of the
    instances scoring ``score_thr`` or more; saved as RLE JSON."""

    task = 'instance'

    def result(self, sample, score_thr: float) -> Dict:
        inst = sample.pred_instances
        keep = inst.scores >= score_thr
        return dict(masks=inst.masks[keep].cpu().numpy().astype(bool),
                    labels=inst.labels[keep].cpu().numpy(),
                    scores=inst.scores[keep].cpu().numpy(),
                    bboxes=inst.bboxes[keep].cpu().numpy())

    def save(self, out_dir: str, name: str, result: Dict) -> None:
        from pycocotools import mask as mask_utils
        instances = []
        for mask, label, score, box in zip(result['masks'], result['labels'],
                                           result['scores'], result['bboxes']):
            rle = mask_utils.encode(np.asfortranarray(mask))
            rle['counts'] = rle['counts'].decode()
            instances.append(dict(category=self.meta.classes[int(label)],
                                  label=int(label), score=float(score),
                                  bbox=[float(v) for v in box],
                                  segmentation=rle))
        with open(osp.join(out_dir, f'{name}_instances.json'), 'w') as f:
            json.dump(instances, f)

    def draw(self, image: np.ndarray, sample, score_thr: float) -> np.ndarray:
        drawn = sample.clone()
        drawn.pred_instances = drawn.pred_instances[
            drawn.pred_instances.scores >= score_thr]
        return self._draw(mmcv.bgr2rgb(image), drawn, score_thr)


class SemanticWriter:
    """``sem_seg`` (H, W) labels; saved as a 16-bit label PNG."""

    task = 'semantic'

    def __init__(self, meta: ClassMeta) -> None:
        from mmseg.visualization import SegLocalVisualizer
        self.meta = meta
        self.visualizer = SegLocalVisualizer(name=f'm2f_seg_{id(self)}')
        self.visualizer.dataset_meta = dict(classes=meta.classes,
                                            palette=list(meta.palette))

    def result(self, sample, score_thr: float) -> Dict:
        return dict(sem_seg=_semantic_prediction(sample)[0].cpu().numpy().astype(
            np.int64))

    def save(self, out_dir: str, name: str, result: Dict) -> None:
        cv2.imwrite(osp.join(out_dir, f'{name}_semantic.png'),
                    result['sem_seg'].astype(np.uint16))

    def draw(self, image: np.ndarray, sample, score_thr: float) -> np.ndarray:
        from mmseg.structures import SegDataSample
        drawn = SegDataSample()
        drawn.pred_sem_seg = PixelData(data=_semantic_prediction(sample))
        self.visualizer.add_datasample('x', mmcv.bgr2rgb(image), drawn,
                                       draw_gt=False, show=False)
        return mmcv.rgb2bgr(self.visualizer.get_image())


#: task -> its writer class.
WRITERS = {writer.task: writer
           for writer in (PanopticWriter, InstanceWriter, SemanticWriter)}
