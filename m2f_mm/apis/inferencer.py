"""Run a trained model on images, a folder or a video; one entry point for
panoptic, instance and semantic outputs, files and overlay pictures."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import (_load_checkpoint,
                                        _load_checkpoint_to_model)

from m2f_mm.datasets import dataset_class
from m2f_mm.deploy import M2FOnnxModel
from m2f_mm.models.segmentors import (TASKS, InferenceConfig, M2FDetector,
                                      is_mmdet_side, model_face)
from m2f_mm.registry import MODELS
from m2f_mm.utils import register_all_modules
from m2f_mm.utils.checkpoint import check_fits
from .inputs import read_frames
from .writers import WRITERS, ClassMeta

_ANNOTATION_LOADERS = ('LoadAnnotations', 'LoadPanopticAnnotations',
                       'M2FLoadPanopticAnnotations')


def _config(config: Union[str, Config]) -> Config:
    """The config (read if a path), its default scope set, after m2f_mm's
    process-wide settings (safe checkpoint loading, ``m2f_mm::`` names)."""
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    init_default_scope(cfg.get('default_scope', 'm2f_mm'))
    return cfg


def init_model(config: Union[str, Config], checkpoint: Optional[str] = None,
               device: str = 'cpu', strict: bool = True
               ) -> Tuple[torch.nn.Module, Config, dict]:
    """The config's model with the checkpoint's weights, in eval mode.

    Args:
        config: config file or ``Config``.
        checkpoint: an m2f_mm checkpoint, loaded weights-only
            (:mod:`m2f_mm.utils.checkpoint`); None keeps the initialisation.
        device: where the model goes.
        strict: refuse a checkpoint that does not fit the model
            (:class:`~m2f_mm.utils.CheckpointMismatchError` lists the keys).

    Returns:
        (model, config, the checkpoint's ``dataset_meta`` or {}).
    """
    cfg = _config(config)
    model = MODELS.build(cfg.model)
    saved_meta = {}
    if checkpoint is not None:
        ckpt = _load_checkpoint(checkpoint, map_location='cpu')
        if strict:
            check_fits(model, ckpt, checkpoint,
                       config if isinstance(config, str) else '')
        _load_checkpoint_to_model(model, ckpt)
        saved_meta = ckpt.get('meta', {}).get('dataset_meta', {}) or {}
    return model.to(device).eval(), cfg, saved_meta


class Mask2FormerInferencer:
    """``Mask2FormerInferencer(config, checkpoint)('img.jpg', task='panoptic')``.

    An mmdet-side model (``M2FDetector``) gives all three tasks from one set
    of weights; an mmseg-side one (``EncoderDecoder``) gives ``semantic``.

    Args:
        config: config file or ``Config``.
        checkpoint: weights (an m2f_mm checkpoint); None keeps the config's
            initialisation (for tests).
        device: ``'cpu'``, ``'cuda'``...; default CUDA when there is one.
        strict: refuse a checkpoint that does not fit the config's model
            (:class:`~m2f_mm.utils.CheckpointMismatchError` lists the keys);
            False loads what fits.
        onnx: files of ``tools/deploy/export.py`` (one per task) to run with
            ONNX Runtime in place of the PyTorch model (no checkpoint then);
            the config still gives the test pipeline and class names, and
            the results and written files are the same kinds.
    """

    def __init__(self, config: Union[str, Config],
                 checkpoint: Optional[str] = None,
                 device: Optional[str] = None, strict: bool = True,
                 onnx: Optional[Sequence[str]] = None) -> None:
        self.device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
        if onnx:
            if checkpoint is not None:
                raise ValueError('give a checkpoint or ONNX files, not both')
            self.cfg = _config(config)
            self.model, saved_meta = M2FOnnxModel(onnx), {}
        else:
            self.model, self.cfg, saved_meta = init_model(
                config, checkpoint, self.device, strict)
        self.face = model_face(self.model)
        self.meta = self._class_meta(saved_meta)
        self.pipeline = self._pipeline()

    @property
    def classes(self) -> Tuple[str, ...]:
        return self.meta.classes

    def _class_meta(self, saved: dict) -> ClassMeta:
        """Names and colours: the checkpoint's dataset meta, else the config's
        test dataset (its metainfo, else its class's METAINFO), else
        numbered classes with fixed colours."""
        dataset = self.cfg.test_dataloader.dataset
        try:
            dataset_meta = getattr(dataset_class(dataset), 'METAINFO', {})
        except KeyError:  # a class not imported here: numbered classes
            dataset_meta = {}
        sources = (saved, dataset.get('metainfo') or {}, dataset_meta)
        num = self.face.num_classes

        def first(key):
            for source in sources:
                if source.get(key) and len(source[key]) >= num:
                    return tuple(source[key])[:num]
            return None

        classes = first('classes') or tuple(f'class_{i}' for i in range(num))
        palette = first('palette') or _fixed_palette(num)
        return ClassMeta(classes=classes, num_things=self.face.num_things,
                         palette=tuple(tuple(int(c) for c in colour)
                                       for colour in palette))

    def _pipeline(self) -> Compose:
        """The test pipeline on arrays, without annotation loading."""
        return array_pipeline(self.cfg, 'mmdet' if is_mmdet_side(self.face)
                              else 'mmseg')

    def _predict(self, image: np.ndarray, name: str, task: str):
        """The model's data sample for one BGR image, ``task`` filled in."""
        data = self.pipeline(dict(img=image, img_id=name,
                                  img_path=f'{name}.jpg'))
        batch = self.model.data_preprocessor(pseudo_collate([data]), False)
        if isinstance(self.model, M2FOnnxModel):
            return self.model.predict(batch['inputs'], batch['data_samples'],
                                      tasks=(task, ))[0]
        if isinstance(self.face, M2FDetector):  # a per-call config
            infer_cfg: InferenceConfig = self.face.infer_cfg.only(task)
            return self.model.predict(batch['inputs'], batch['data_samples'],
                                      infer_cfg=infer_cfg)[0]
        return self.model.predict(batch['inputs'], batch['data_samples'])[0]

    @torch.no_grad()
    def __call__(self, inputs, task: str = 'panoptic',
                 out_dir: Optional[str] = None,
                 score_thr: float = 0.3, skip_bad: bool = False) -> List[Dict]:
        """Predictions per image (frame), and files in ``out_dir``.

        With ``skip_bad``, an unreadable file gives ``dict(name, error)``
        and the other inputs are still predicted; otherwise it raises.
        Inputs that share a file stem get distinct names (``a_jpg``,
        ``a_png``), so their outputs never overwrite each other.

        Returns dicts with ``name`` and, by task: ``panoptic_seg`` (H, W ids:
        label + instance * INSTANCE_OFFSET, -1 void) and ``segments_info``;
        ``masks`` (N, H, W bool), ``labels``, ``scores``, ``bboxes``;
        ``sem_seg`` (H, W labels). ``out_dir`` gets the COCO-panoptic PNG
        and JSON, instance JSON (RLE), semantic label PNG and an overlay
        picture for each (and ``<video>_overlay.mp4`` for a video).
        """
        if task not in TASKS:
            raise ValueError(f'task must be one of {TASKS}, not {task!r}')
        if task not in self.face.supported_tasks:
            if isinstance(self.model, M2FOnnxModel):
                raise ValueError(f'{task}: no ONNX file of this task was '
                                 f'given (tasks: {list(self.face.supported_tasks)})')
            raise ValueError(
                f'{task}: this config is a semantic model (mmseg '
                f"EncoderDecoder); only task='semantic'")
        writer = WRITERS[task](self.meta)
        if out_dir:
            os.makedirs(out_dir, exist_ok=True)
        results, videos = [], {}
        for name, image, error, video in read_frames(inputs, skip_bad):
            if error is not None:
                results.append(dict(name=name, error=error))
                continue
            sample = self._predict(image, name, task)
            result = dict(name=name, **writer.result(sample, score_thr))
            results.append(result)
            if not out_dir:
                continue
            writer.save(out_dir, name, result)
            overlay = writer.draw(image, sample, score_thr)
            cv2.imwrite(osp.join(out_dir, f'{name}_{task}_overlay.jpg'),
                        overlay)
            if video is not None:
                if video not in videos:
                    h, w = overlay.shape[:2]
                    videos[video] = cv2.VideoWriter(
                        osp.join(out_dir, f'{video}_overlay.mp4'),
                        cv2.VideoWriter_fourcc(*'mp4v'), 10, (w, h))
                videos[video].write(overlay)
        for video_writer in videos.values():
            video_writer.release()
        return results


#: test-pipeline steps that change the image's size
_RESIZES = ('Resize', 'RandomResize', 'RandomChoiceResize', 'FixShapeResize',
            'RandomRescale')


def test_pipeline_resizes(cfg: Config) -> bool:
    """Whether the config's test pipeline resizes the image (then an
    exported graph takes the original size, to resize as predict does)."""
    return any(step['type'].split('.')[-1] in _RESIZES
               for step in cfg.test_dataloader.dataset.pipeline)


def array_pipeline(cfg: Config, scope: str) -> Compose:
    """A config's test pipeline on BGR arrays (``dict(img=array)``), without
    annotation loading; ``scope``: ``'mmdet'`` or ``'mmseg'``, the model's
    side."""
    steps = []
    for step in cfg.test_dataloader.dataset.pipeline:
        name = step['type'].split('.')[-1]
        if name in _ANNOTATION_LOADERS:
            continue
        step = dict(step)
        if name == 'LoadImageFromFile':
            step = dict(type=f'{scope}.LoadImageFromNDArray')
        elif name in ('PackDetInputs', 'PackSegInputs'):
            step['meta_keys'] = ('img_id', 'img_path', 'ori_shape',
                                 'img_shape', 'scale_factor')
            if scope == 'mmseg':
                step['meta_keys'] += ('reduce_zero_label', )
        step.pop('_scope_', None)
        if '.' not in step['type']:
            step['type'] = f'{scope}.{step["type"]}'
        steps.append(step)
    return Compose(steps)


def _fixed_palette(num: int) -> List[Tuple[int, int, int]]:
    """A fixed colour per class, for datasets that name none."""
    rng = np.random.RandomState(42)
    return [tuple(int(c) for c in rng.randint(0, 255, 3)) for _ in range(num)]


def infer_files(config: str, checkpoint: Optional[str],
                inputs: Sequence[str], task: str, out_dir: str,
                device: Optional[str] = None, strict: bool = True,
                onnx: Optional[Sequence[str]] = None
                ) -> Tuple[int, List[str]]:
    """``tools/infer.py``: every readable input to ``out_dir``.

    Returns:
        (frames predicted, one message per unreadable file).
    """
    inferencer = Mask2FormerInferencer(config, checkpoint, device, strict,
                                       onnx)
    results = inferencer(list(inputs), task=task, out_dir=out_dir,
                         skip_bad=True)
    failed = [r['error'] for r in results if 'error' in r]
    return len(results) - len(failed), failed
