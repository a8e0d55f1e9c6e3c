"""PQ against a COCO-panoptic JSON in any category order (Cityscapes,
Mapillary), computed by cityscapesscripts' ``evaluatePanoptic``."""
import json
import os
import os.path as osp
import tempfile
from typing import Dict, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from PIL import Image

from mmdet.evaluation.functional import INSTANCE_OFFSET

from m2f_mm.registry import METRICS
from m2f_mm.utils.panoptic_png import id2rgb


@METRICS.register_module()
class PanopticJsonMetric(BaseMetric):
    """PQ, SQ, RQ (all / things / stuff, in %) of ``pred_panoptic_seg``.

    Predictions (mmdet's encoding: ``label + id * INSTANCE_OFFSET``, the
    class count for void) are written as panoptic PNGs named like the ground
    truth's and a JSON with the JSON's category ids (labels follow
    ``dataset_meta['classes']``, matched to the categories by name), then
    scored by cityscapesscripts on the images that were predicted.

    Args:
        ann_file: the ground-truth panoptic JSON.
        seg_prefix: the folder of ground-truth panoptic PNGs.
        outfile_prefix: where predictions go (``{prefix}.panoptic/`` and
            ``{prefix}.panoptic.json``); a temporary folder when None.
        collect_device, prefix: as mmengine's ``BaseMetric``.
    """

    default_prefix: Optional[str] = 'panoptic'

    def __init__(self, ann_file: str, seg_prefix: str,
                 outfile_prefix: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not osp.isfile(ann_file):
            raise FileNotFoundError(f'{ann_file}: no such panoptic JSON')
        if not osp.isdir(seg_prefix):
            raise FileNotFoundError(f'{seg_prefix}: no such folder of '
                                    'panoptic PNGs')
        self.ann_file, self.seg_prefix = ann_file, seg_prefix
        with open(ann_file) as f:
            self._gt = json.load(f)  # kept for compute_metrics
        self._gt_file_names = {a['image_id']: a['file_name']
                               for a in self._gt['annotations']}
        self._categories = self._gt['categories']
        self._tmp = None
        if outfile_prefix is None:
            self._tmp = tempfile.TemporaryDirectory()
            outfile_prefix = osp.join(self._tmp.name, 'results')
        self.outfile_prefix = outfile_prefix
        self.seg_out_dir = f'{outfile_prefix}.panoptic'

    def _label2cat(self) -> Dict[int, int]:
        by_name = {c['name']: c['id'] for c in self._categories}
        classes = self.dataset_meta['classes']
        missing = [c for c in classes if c not in by_name]
        if missing:
            raise ValueError(f'{self.ann_file}: no categories named {missing}')
        return {label: by_name[name] for label, name in enumerate(classes)}

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Writes each prediction's PNG; keeps its segments for the JSON."""
        os.makedirs(self.seg_out_dir, exist_ok=True)
        label2cat = self._label2cat()
        num_classes = len(self.dataset_meta['classes'])
        for sample in data_samples:
            img_id = sample['img_id']
            if img_id not in self._gt_file_names:
                raise KeyError(f'{self.ann_file}: no annotation for image '
                               f'{img_id!r}')
            pan = sample['pred_panoptic_seg']['sem_seg'][0].cpu().numpy()
            pan = pan.astype(np.int64)
            segments = []
            out = np.zeros(pan.shape, np.int64)  # 0 = void in the PNG
            for pan_id in np.unique(pan):
                label = int(pan_id % INSTANCE_OFFSET)
                if label >= num_classes:
                    continue  # void
                mask = pan == pan_id
                segment_id = len(segments) + 1
                out[mask] = segment_id
                segments.append(dict(id=segment_id,
                                     category_id=label2cat[label],
                                     area=int(mask.sum())))
            file_name = self._gt_file_names[img_id]
            Image.fromarray(id2rgb(out)).save(
                osp.join(self.seg_out_dir, file_name))
            self.results.append(dict(image_id=img_id, file_name=file_name,
                                     segments_info=segments))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """cityscapesscripts' PQ on the predicted images."""
        from cityscapesscripts.evaluation.evalPanopticSemanticLabeling import \
            evaluatePanoptic
        predicted = {r['image_id'] for r in results}
        gt = dict(self._gt,
                  annotations=[a for a in self._gt['annotations']
                               if a['image_id'] in predicted],
                  images=[i for i in self._gt['images']
                          if i['id'] in predicted])
        gt_file = f'{self.outfile_prefix}.gt.json'
        pred_file = f'{self.outfile_prefix}.panoptic.json'
        with open(gt_file, 'w') as f:
            json.dump(gt, f)
        with open(pred_file, 'w') as f:
            json.dump(dict(annotations=list(results)), f)
        scores = evaluatePanoptic(gt_file, self.seg_prefix, pred_file,
                                  self.seg_out_dir,
                                  f'{self.outfile_prefix}.pq.json')
        metrics = {}
        for group, suffix in (('All', ''), ('Things', '_th'), ('Stuff', '_st')):
            for key in ('pq', 'sq', 'rq'):
                metrics[key.upper() + suffix] = 100 * scores[group][key]
        MMLogger.get_current_instance().info(
            f'PQ {metrics["PQ"]:.2f} (things {metrics["PQ_th"]:.2f}, stuff '
            f'{metrics["PQ_st"]:.2f}) over {len(predicted)} images')
        return metrics
