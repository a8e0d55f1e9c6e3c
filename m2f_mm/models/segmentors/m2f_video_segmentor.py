"""The video face of Mask2Former (Mask2Former-VIS, arXiv 2112.10764): the
backbone and pixel decoder per frame, one set of queries for the whole clip,
a class and a mask tube per query; ``TrackDataSample``s in and out, as
mmdet's video models."""
from typing import Dict, List, Optional

import torch
from mmdet.models.mot import BaseMOTModel
from mmdet.structures import TrackDataSample
from mmdet.structures.mask import mask2bbox
from mmengine.structures import InstanceData
from torch import Tensor

from m2f_mm.registry import MODELS
from ..postprocess.video import video_instance_inference
from .targets import tube_targets


@MODELS.register_module()
class M2FVideoSegmentor(BaseMOTModel):
    """Mask2Former for video instance segmentation (YouTube-VIS), mmdet side.

    Frames are a time axis of the image model: the backbone and the pixel
    decoder run on the (B*T) frames, the head's queries attend to the
    memories of all T frames of their clip with 3D position embeddings, and
    each query predicts one class and a (T, H/4, W/4) mask tube. Matching and
    losses are the image ones applied to tubes; at test time the top-k
    (query, class) pairs of the clip become tracks.

    Args:
        backbone: backbone config.
        head: ``M2FHead`` config (``num_classes`` filled in).
        num_things_classes: the video classes (VIS has no stuff).
        top_k: tracks kept per clip at test time (10, as the official code).
        neck: optional neck config between backbone and head.
        channels_last: give the backbone channels-last input (as
            ``M2FDetector``).
        data_preprocessor: ``mmdet.TrackDataPreprocessor``.
        init_cfg: mmengine init config.
    """

    def __init__(self, *, backbone: dict, head: dict, num_things_classes: int,
                 top_k: int = 10, neck: Optional[dict] = None,
                 channels_last: bool = True,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None) -> None:
        super(BaseMOTModel, self).__init__(data_preprocessor=data_preprocessor,
                                           init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.num_things = num_things_classes
        self.num_classes = num_things_classes
        self.top_k = top_k
        self.channels_last = channels_last
        self.head = MODELS.build(dict(head, num_classes=self.num_classes))

    #: the tasks this face answers; it answers for its classes itself
    #: (``model_face``), things only, as mmdet's side.
    supported_tasks = ('video', )
    is_model_face = True
    from_detector = True

    def extract_feat(self, frames: Tensor):
        """(B*T, 3, H, W) -> backbone (and neck) maps, highest resolution
        first, per frame."""
        if self.channels_last:
            frames = frames.contiguous(memory_format=torch.channels_last)
        feats = self.backbone(frames)
        return self.neck(feats) if self.neck is not None else feats

    def _forward(self, inputs: Tensor, data_samples=None):
        """Raw per-set class logits (B, Q, K+1) and mask tubes
        (B, Q, T, H/4, W/4) of (B, T, 3, H, W) clips."""
        preds = self.head(self.extract_feat(inputs.flatten(0, 1)),
                          num_frames=inputs.shape[1])
        return preds.class_logits, preds.mask_logits

    def loss(self, inputs: Tensor,
             data_samples: List[TrackDataSample]) -> Dict[str, Tensor]:
        """Set losses of all prediction sets over the clips' tubes.

        Args:
            inputs: (B, T, 3, H, W) clips.
            data_samples: B ``TrackDataSample``s of T frames each.
        """
        if inputs.dim() != 5:
            raise ValueError(f'expected clips (B, T, 3, H, W), got '
                             f'{tuple(inputs.shape)}')
        feats = self.extract_feat(inputs.flatten(0, 1))  # (B*T, ...)
        targets = [tube_targets(list(sample), num_things=self.num_things,
                                device=inputs.device)
                   for sample in data_samples]
        return self.head.loss(feats, [t[0] for t in targets],
                              [t[1] for t in targets],
                              num_frames=inputs.shape[1])

    def predict(self, inputs: Tensor, data_samples: List[TrackDataSample],
                rescale: bool = True) -> List[TrackDataSample]:
        """Tracks of each clip: every frame's ``pred_track_instances``
        (``masks`` (N, H, W) bool, ``bboxes``, ``labels``, ``scores`` and
        ``instances_id``, one id per track for the whole clip), at the
        original frame size when ``rescale``.

        Args:
            inputs: (B, T, 3, H, W) clips (mmdet's video models take one clip
                a call; several are predicted one after the other).
            data_samples: B ``TrackDataSample``s.
        """
        for clip, sample in zip(inputs, data_samples):
            preds = self.head(self.extract_feat(clip), all_sets=False,
                              num_frames=clip.shape[0])
            frames = list(sample)
            meta = frames[0].metainfo
            scores, labels, _, tubes = video_instance_inference(
                preds.final_class_logits[0], preds.final_mask_logits[0],
                self.num_things, self.top_k, meta['batch_input_shape'],
                meta['img_shape'][:2],
                meta['ori_shape'][:2] if rescale else None)
            ids = torch.arange(len(scores), device=scores.device)
            for t, frame in enumerate(frames):
                masks = tubes[:, t]  # (N, H, W)
                frame.pred_track_instances = InstanceData(
                    masks=masks, bboxes=mask2bbox(masks), labels=labels,
                    scores=scores, instances_id=ids)
        return data_samples
