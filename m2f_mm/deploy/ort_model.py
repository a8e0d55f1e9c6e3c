"""Exported ONNX files run by ONNX Runtime behind the PyTorch model's
interface: ``predict`` fills the same data-sample fields, so mmengine's
test loop, the evaluators and the inferencer use a deployed file exactly as
they use the model."""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.structures import InstanceData, PixelData
from torch import Tensor

from m2f_mm.registry import MODELS
from .deploy_model import output_names

#: the model's facts written into each exported file (ONNX metadata).
METADATA_KEYS = ('m2f_mm.task', 'm2f_mm.num_classes', 'm2f_mm.num_things',
                 'm2f_mm.face')


def open_session(path: str,
                 providers: Sequence[str] = ('CPUExecutionProvider', )):
    """(ONNX Runtime session of an exported file, its m2f_mm facts);
    FileNotFoundError or ValueError naming the file if it is not one."""
    import onnxruntime as ort
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such ONNX file')
    session = ort.InferenceSession(path, providers=list(providers))
    meta = session.get_modelmeta().custom_metadata_map
    missing = [key for key in METADATA_KEYS if key not in meta]
    if missing:
        raise ValueError(f'{path}: not an m2f_mm export (no {missing} in its '
                         'metadata); export with tools/deploy/export.py')
    return session, meta


def read_metadata(path: str) -> Dict[str, str]:
    """The m2f_mm facts of an exported file (see :func:`open_session`)."""
    return open_session(path)[1]


@MODELS.register_module()
class M2FOnnxModel(BaseModel):
    """One exported file per task, run by ONNX Runtime on the CPU.

    Each image is run alone at its own size (its ``img_shape``, the batch
    padding cropped off). Where the test pipeline resized the image, the
    graph takes ``original_size`` (exported from a config whose test
    pipeline resizes) and resizes as the PyTorch model does: the results
    are the model's. A file without that input gives results at the
    resized size, which are resized here to ``ori_shape`` (maps and masks
    nearest, boxes scaled, semantic scores bilinear); the PyTorch model
    resizes the mask logits before thresholding, so there the two can differ
    along segment borders.

    Args:
        onnx_files: files written by ``tools/deploy/export.py``, at most one
            per task.
        data_preprocessor: stacks the uint8 images unnormalised (the graphs
            normalise).
        providers: ONNX Runtime execution providers.
    """

    #: answers for its classes and tasks itself (``models.segmentors.model_face``)
    is_model_face = True

    def __init__(self, onnx_files: Sequence[str],
                 data_preprocessor: Optional[dict] = None,
                 providers: Sequence[str] = ('CPUExecutionProvider', )) -> None:
        super().__init__(data_preprocessor=data_preprocessor or dict(
            type='mmdet.DetDataPreprocessor', bgr_to_rgb=False,
            pad_size_divisor=1))
        if isinstance(onnx_files, str):
            onnx_files = [onnx_files]
        self.sessions = {}
        self.inputs: Dict[str, List[str]] = {}
        facts = set()
        for path in onnx_files:
            session, meta = open_session(path, providers)
            task = meta['m2f_mm.task']
            if task in self.sessions:
                raise ValueError(f'{path}: a second file for task {task!r}')
            self.sessions[task] = session
            self.inputs[task] = [i.name for i in session.get_inputs()]
            facts.add((int(meta['m2f_mm.num_classes']),
                       int(meta['m2f_mm.num_things']),
                       meta['m2f_mm.face'] == 'mmdet'))
        if len(facts) != 1:
            raise ValueError(f'{list(onnx_files)}: exported from different '
                             'models ((classes, things, mmdet side): '
                             f'{sorted(facts)})')
        (self.num_classes, self.num_things, self.from_detector), = facts
        #: the tasks of the files given.
        self.supported_tasks = tuple(self.sessions)

    def forward(self, inputs: Tensor, data_samples=None, mode: str = 'predict'):
        if mode != 'predict':
            raise ValueError(f'M2FOnnxModel runs exported graphs: mode '
                             f"'predict' only, not {mode!r}")
        return self.predict(inputs, data_samples)

    def predict(self, batch_inputs: Tensor, batch_data_samples: List,
                tasks: Optional[Sequence[str]] = None) -> List:
        """Fill ``pred_panoptic_seg`` / ``pred_instances`` /
        ``pred_sem_seg`` (and ``seg_logits``) for the files' tasks, or
        ``tasks``.

        Args:
            batch_inputs: (B, 3, H, W) BGR pixel values, unnormalised.
            batch_data_samples: with ``img_shape`` and ``ori_shape``.
        """
        tasks = tasks or self.supported_tasks
        images = batch_inputs.round().clamp(0, 255).to(torch.uint8)
        images = images.permute(0, 2, 3, 1).cpu().numpy()  # (B, H, W, 3)
        for image, sample in zip(images, batch_data_samples):
            height, width = sample.metainfo['img_shape'][:2]
            ori_size = tuple(sample.metainfo.get('ori_shape',
                                                 (height, width))[:2])
            cropped = np.ascontiguousarray(image[None, :height, :width])
            for task in tasks:
                session = self.sessions[task]
                feed = {'images': cropped}
                out_size = (height, width)
                if 'original_size' in self.inputs[task]:
                    # the graph resizes as the model's predict
                    feed['original_size'] = np.array(ori_size, np.int64)
                    out_size = ori_size
                out = {name: torch.from_numpy(value[0]) for name, value in
                       zip(output_names(task), session.run(None, feed))}
                fill = getattr(self, f'_fill_{task}')
                fill(sample, out, ori_size, out_size)
        return batch_data_samples

    @staticmethod
    def _nearest(maps: Tensor, size) -> Tensor:
        """(N, H, W) integer or bool maps resized to ``size``, nearest."""
        if tuple(maps.shape[-2:]) == tuple(size):
            return maps
        return F.interpolate(maps[None].float(), size=size,
                             mode='nearest')[0].to(maps.dtype)

    def _fill_panoptic(self, sample, out, ori_size, _) -> None:
        panoptic = self._nearest(out['panoptic'][None], ori_size)
        sample.pred_panoptic_seg = PixelData(sem_seg=panoptic)

    def _fill_instance(self, sample, out, ori_size, img_size) -> None:
        valid = out['valid']
        bboxes = out['bboxes'][valid]
        if tuple(ori_size) != tuple(img_size):
            scale = bboxes.new_tensor([ori_size[1] / img_size[1],
                                       ori_size[0] / img_size[0]] * 2)
            bboxes = bboxes * scale
        sample.pred_instances = InstanceData(
            scores=out['scores'][valid], labels=out['labels'][valid],
            masks=self._nearest(out['masks'][valid], ori_size), bboxes=bboxes)

    def _fill_semantic(self, sample, out, ori_size, img_size) -> None:
        scores = out['seg_logits']  # (K, H, W)
        if tuple(ori_size) != tuple(img_size):
            scores = F.interpolate(scores[None], size=ori_size,
                                   mode='bilinear', align_corners=False)[0]
        sample.seg_logits = PixelData(data=scores)
        sample.pred_sem_seg = PixelData(sem_seg=scores.argmax(0,
                                                              keepdim=True))
