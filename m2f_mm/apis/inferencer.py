"""Run a trained model on images, a folder or a video; one entry point for
panoptic, instance and semantic outputs, files and overlay pictures."""
import dataclasses
import json
import os
import os.path as osp
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

import cv2
import mmcv
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

from mmdet.evaluation.functional import INSTANCE_OFFSET

from m2f_mm.registry import MODELS
from m2f_mm.utils.panoptic_png import id2rgb

IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
VIDEO_EXTS = ('.mp4', '.avi', '.mov', '.mkv', '.webm')
TASKS = ('panoptic', 'instance', 'semantic')
_ANNOTATION_LOADERS = ('LoadAnnotations', 'LoadPanopticAnnotations')


class Mask2FormerInferencer:
    """``Mask2FormerInferencer(config, checkpoint)('img.jpg', task='panoptic')``.

    An mmdet-side model (``M2FDetector``) gives all three tasks from one set
    of weights; an mmseg-side one (``EncoderDecoder``) gives ``semantic``.

    Args:
        config: config file or ``Config``.
        checkpoint: weights (an m2f_mm checkpoint); None keeps the config's
            initialisation (for tests).
        device: ``'cpu'``, ``'cuda'``...; default CUDA when there is one.
    """

    def __init__(self, config: Union[str, Config],
                 checkpoint: Optional[str] = None,
                 device: Optional[str] = None) -> None:
        cfg = Config.fromfile(config) if isinstance(config, str) else config
        init_default_scope(cfg.get('default_scope', 'm2f_mm'))
        self.cfg = cfg
        self.device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
        self.model = MODELS.build(cfg.model)
        meta = {}
        if checkpoint is not None:
            ckpt = load_checkpoint(self.model, checkpoint, map_location='cpu')
            meta = ckpt.get('meta', {}).get('dataset_meta', {}) or {}
        self.model.to(self.device).eval()
        self.semantic_only = not hasattr(self.model, 'infer_cfg')
        self.classes = tuple(meta.get('classes') or self._config_classes())
        self.pipeline = self._pipeline()

    def _config_classes(self) -> Tuple[str, ...]:
        """Class names from the config's test dataset (metainfo or class)."""
        from m2f_mm.registry import DATASETS
        dataset = self.cfg.test_dataloader.dataset
        given = (dataset.get('metainfo') or {}).get('classes')
        if given:
            return tuple(given)
        dataset_cls = DATASETS.get(dataset.type)
        classes = getattr(dataset_cls, 'METAINFO', {}).get('classes')
        if not classes:
            num = (self.cfg.model.decode_head.num_classes
                   if self.semantic_only else
                   self.cfg.model.num_things_classes +
                   self.cfg.model.num_stuff_classes)
            classes = tuple(f'class_{i}' for i in range(num))
        return tuple(classes)

    def _pipeline(self) -> Compose:
        """The test pipeline on arrays, without annotation loading."""
        steps = []
        for step in self.cfg.test_dataloader.dataset.pipeline:
            name = step['type'].split('.')[-1]
            if name in _ANNOTATION_LOADERS:
                continue
            step = dict(step)
            if name == 'LoadImageFromFile':
                scope = 'mmseg' if self.semantic_only else 'mmdet'
                step = dict(type=f'{scope}.LoadImageFromNDArray')
            elif name in ('PackDetInputs', 'PackSegInputs'):
                step['meta_keys'] = ('img_id', 'img_path', 'ori_shape',
                                     'img_shape', 'scale_factor')
                if self.semantic_only:
                    step['meta_keys'] += ('reduce_zero_label', )
            step.pop('_scope_', None)
            if '.' not in step['type']:
                scope = 'mmseg' if self.semantic_only else 'mmdet'
                step['type'] = f'{scope}.{step["type"]}'
            steps.append(step)
        return Compose(steps)

    @staticmethod
    def _frames(inputs) -> Iterator[Tuple[str, np.ndarray]]:
        """(name, BGR image) of an image, folder, video or array list."""
        if isinstance(inputs, np.ndarray):
            yield 'array_0', inputs
            return
        if isinstance(inputs, (list, tuple)):
            for i, item in enumerate(inputs):
                for name, frame in Mask2FormerInferencer._frames(item):
                    yield (name if not name.startswith('array') else
                           f'array_{i}'), frame
            return
        path = str(inputs)
        if osp.isdir(path):
            names = sorted(n for n in os.listdir(path)
                           if n.lower().endswith(IMAGE_EXTS))
            if not names:
                raise FileNotFoundError(f'{path}: no images in this folder')
            for name in names:
                yield from Mask2FormerInferencer._frames(osp.join(path, name))
            return
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path}: no such image, folder or video')
        stem = osp.splitext(osp.basename(path))[0]
        if path.lower().endswith(VIDEO_EXTS):
            video = cv2.VideoCapture(path)
            if not video.isOpened():
                raise ValueError(f'{path}: cannot be read as a video')
            index = 0
            while True:
                ok, frame = video.read()
                if not ok:
                    break
                yield f'{stem}_{index:06d}', frame
                index += 1
            video.release()
            if index == 0:
                raise ValueError(f'{path}: a video without frames')
            return
        image = mmcv.imread(path)
        if image is None:
            raise ValueError(f'{path}: not a readable image')
        yield stem, image

    def _set_task(self, task: str) -> None:
        if task not in TASKS:
            raise ValueError(f'task must be one of {TASKS}, not {task!r}')
        if self.semantic_only:
            if task != 'semantic':
                raise ValueError(f'{task}: this config is a semantic model '
                                 '(mmseg EncoderDecoder); only '
                                 "task='semantic'")
            return
        self.model.infer_cfg = dataclasses.replace(
            self.model.infer_cfg, panoptic_on=task == 'panoptic',
            instance_on=task == 'instance', semantic_on=task == 'semantic')

    @torch.no_grad()
    def __call__(self, inputs, task: str = 'panoptic',
                 out_dir: Optional[str] = None,
                 score_thr: float = 0.3) -> List[Dict]:
        """Predictions per image (frame), and files in ``out_dir``.

        Returns dicts with ``name`` and, by task: ``panoptic_seg`` (H, W ids:
        label + instance * INSTANCE_OFFSET, -1 void) and ``segments_info``;
        ``masks`` (N, H, W bool), ``labels``, ``scores``, ``bboxes``;
        ``sem_seg`` (H, W labels). ``out_dir`` gets the COCO-panoptic PNG
        and JSON, instance JSON (RLE), semantic label PNG and an overlay
        picture for each (and ``overlay.mp4`` for a video).
        """
        self._set_task(task)
        results = []
        writer = None
        is_video = isinstance(inputs, str) and \
            inputs.lower().endswith(VIDEO_EXTS)
        for name, image in self._frames(inputs):
            data = self.pipeline(dict(img=image, img_id=name,
                                      img_path=f'{name}.jpg'))
            batch = self.model.data_preprocessor(pseudo_collate([data]),
                                                 False)
            sample = self.model.predict(batch['inputs'],
                                        batch['data_samples'])[0]
            result = self._to_dict(name, sample, task, score_thr)
            results.append(result)
            if out_dir:
                overlay = self._save(out_dir, image, result, task, sample,
                                     score_thr)
                if is_video and writer is None:
                    h, w = overlay.shape[:2]
                    writer = cv2.VideoWriter(
                        osp.join(out_dir, 'overlay.mp4'),
                        cv2.VideoWriter_fourcc(*'mp4v'), 10, (w, h))
                if writer is not None:
                    writer.write(overlay)
        if writer is not None:
            writer.release()
        return results

    def _to_dict(self, name: str, sample, task: str,
                 score_thr: float) -> Dict:
        result = dict(name=name)
        if task == 'panoptic':
            pan = sample.pred_panoptic_seg.sem_seg[0].cpu().numpy().astype(
                np.int64)
            num_classes = len(self.classes)
            pan[pan % INSTANCE_OFFSET == num_classes] = -1  # void
            segments = []
            for seg_id in np.unique(pan):
                if seg_id < 0:
                    continue
                label = int(seg_id % INSTANCE_OFFSET)
                segments.append(dict(
                    id=int(seg_id), label=label, category=self.classes[label],
                    isthing=int(seg_id // INSTANCE_OFFSET > 0),
                    area=int((pan == seg_id).sum())))
            result.update(panoptic_seg=pan, segments_info=segments)
        elif task == 'instance':
            inst = sample.pred_instances
            keep = inst.scores >= score_thr
            result.update(masks=inst.masks[keep].cpu().numpy().astype(bool),
                          labels=inst.labels[keep].cpu().numpy(),
                          scores=inst.scores[keep].cpu().numpy(),
                          bboxes=inst.bboxes[keep].cpu().numpy())
        else:
            seg = sample.pred_sem_seg
            data = seg.sem_seg if 'sem_seg' in seg else seg.data
            result.update(sem_seg=data[0].cpu().numpy().astype(np.int64))
        return result

    def _save(self, out_dir: str, image: np.ndarray, result: Dict,
              task: str, sample, score_thr: float) -> np.ndarray:
        """Output files and the overlay picture (RGB drawn, BGR returned)."""
        from pycocotools import mask as mask_utils
        os.makedirs(out_dir, exist_ok=True)
        name = result['name']
        if task == 'panoptic':
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
        elif task == 'instance':
            instances = []
            for mask, label, score, box in zip(result['masks'],
                                               result['labels'],
                                               result['scores'],
                                               result['bboxes']):
                rle = mask_utils.encode(np.asfortranarray(mask))
                rle['counts'] = rle['counts'].decode()
                instances.append(dict(category=self.classes[int(label)],
                                      label=int(label), score=float(score),
                                      bbox=[float(v) for v in box],
                                      segmentation=rle))
            with open(osp.join(out_dir, f'{name}_instances.json'), 'w') as f:
                json.dump(instances, f)
        else:
            cv2.imwrite(osp.join(out_dir, f'{name}_semantic.png'),
                        result['sem_seg'].astype(np.uint16))
        overlay = self._draw(image, sample, task, score_thr)
        cv2.imwrite(osp.join(out_dir, f'{name}_{task}_overlay.jpg'), overlay)
        return overlay

    def _draw(self, image: np.ndarray, sample, task: str,
              score_thr: float) -> np.ndarray:
        """mmdet's / mmseg's visualiser on the prediction; BGR out."""
        rgb = mmcv.bgr2rgb(image)
        meta = dict(classes=self.classes)
        if task == 'semantic':
            from mmengine.structures import PixelData
            from mmseg.structures import SegDataSample
            from mmseg.visualization import SegLocalVisualizer
            seg = sample.pred_sem_seg
            data = seg.sem_seg if 'sem_seg' in seg else seg.data
            drawn = SegDataSample()
            drawn.pred_sem_seg = PixelData(data=data)  # mmseg's field name
            vis = SegLocalVisualizer(name=f'm2f_seg_{id(self)}')
            vis.dataset_meta = dict(
                meta, palette=_palette(len(self.classes)))
            vis.add_datasample('x', rgb, drawn, draw_gt=False, show=False)
        else:
            from mmdet.visualization import DetLocalVisualizer
            if task == 'panoptic' and not (
                    sample.pred_panoptic_seg.sem_seg % INSTANCE_OFFSET !=
                    len(self.classes)).any():
                return image.copy()  # all void: mmdet's drawer fails
            vis = DetLocalVisualizer(name=f'm2f_det_{id(self)}')
            num_things = getattr(self.model, 'num_things', len(self.classes))
            vis.dataset_meta = dict(
                meta, thing_classes=self.classes[:num_things],
                stuff_classes=self.classes[num_things:],
                palette=_palette(len(self.classes)))
            if task == 'instance':
                drawn = sample.clone()
                drawn.pred_instances = drawn.pred_instances[
                    drawn.pred_instances.scores >= score_thr]
            else:
                drawn = sample
            vis.add_datasample('x', rgb, drawn, draw_gt=False, show=False,
                               pred_score_thr=score_thr)
        return mmcv.rgb2bgr(vis.get_image())


def _palette(num: int) -> List[Tuple[int, int, int]]:
    """A fixed colour per class."""
    rng = np.random.RandomState(42)
    return [tuple(int(c) for c in rng.randint(0, 255, 3)) for _ in range(num)]


def infer_files(config: str, checkpoint: Optional[str],
                inputs: Sequence[str], task: str, out_dir: str,
                device: Optional[str] = None) -> int:
    """``tools/infer.py``: every input to ``out_dir``; number of frames."""
    inferencer = Mask2FormerInferencer(config, checkpoint, device)
    count = 0
    for item in inputs:
        count += len(inferencer(item, task=task, out_dir=out_dir))
    return count
