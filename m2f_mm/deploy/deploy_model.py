"""A built m2f_mm model as one function from uint8 images to one task's final
results: what is exported (ONNX, torch.export) for deployment."""
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from m2f_mm.models.postprocess.batched import (instance_batched,
                                               panoptic_batched,
                                               panoptic_candidates,
                                               semantic_batched)
from m2f_mm.models.segmentors.inference_config import InferenceConfig
from m2f_mm.models.segmentors.model_face import (is_mmdet_side, model_face,
                                                unwrap)
from .sliding import average_windows, max_cover, window_starts
from .trace_inputs import MAX_SIDE

#: Each task's outputs, in graph order; every graph ends with the raw
#: ``class_logits`` (B, Q, K+1) and ``mask_logits`` (B, Q, H_pad/4,
#: W_pad/4) of the final prediction set.
OUTPUT_NAMES = dict(
    panoptic=('panoptic', 'segment_ids', 'labels', 'scores', 'is_thing'),
    instance=('scores', 'labels', 'masks', 'bboxes', 'valid', 'queries'),
    semantic=('sem_seg', 'seg_logits'),
)
RAW_OUTPUTS = ('class_logits', 'mask_logits')


def output_names(task: str) -> Tuple[str, ...]:
    return OUTPUT_NAMES[task] + RAW_OUTPUTS


class DeployModel(nn.Module):
    """``(B, H, W, 3)`` uint8 BGR images (as ``cv2.imread`` reads them,
    stacked), any H and W -> one task's results at H x W.

    Inside: the config's data preprocessing at test time (channel order,
    mean/std, padding to the size divisor: mmdet's preprocessor pads in
    every mode, mmseg's only as its ``test_cfg`` says), the backbone and head, the final set's
    mask logits resized to the padded input and cropped to the image, and
    the task's post-processing (:mod:`m2f_mm.models.postprocess.batched`)
    with the thresholds of ``infer_cfg`` (default: the model's
    ``test_cfg``). The test pipeline's resize is not inside: feed images at
    the scale the model should see. With ``original_size`` the model also
    takes the size the images had before that resize, ``(2,)`` int64
    ``(H0, W0)``, one for the batch, and resizes as the model's predict
    does (bilinear, before thresholding: the mask logits on the mmdet side,
    the class scores on the mmseg side), so the results are at H0 x W0 and
    equal the model's.

    Args:
        model: a built m2f_mm model (``M2FDetector`` or mmseg
            ``EncoderDecoder`` with ``M2FDecodeHead``), weights loaded.
        task: ``'panoptic'``, ``'instance'`` or ``'semantic'``.
        infer_cfg: thresholds, for the mmdet-side model.
        original_size: take the original size as a second input.

    Attributes:
        slice_crop: crop the padding off the full-size mask logits by
            slicing (False: by gathering the rows and columns). ONNX graphs
            slice (:func:`export_onnx` sets it; ONNX has no memory layout, a
            Slice costs nothing); a ``torch.export`` program must gather,
            since a slice's contiguity would be decided at the traced size.
    """

    slice_crop = False

    def __init__(self, model: nn.Module, task: str,
                 infer_cfg: Optional[InferenceConfig] = None,
                 original_size: bool = False) -> None:
        super().__init__()
        self.original_size = original_size
        if task not in OUTPUT_NAMES:
            raise ValueError(f'task must be one of {tuple(OUTPUT_NAMES)}, '
                             f'not {task!r}')
        self.model = unwrap(model).eval()
        face = model_face(self.model)
        if task not in face.supported_tasks:
            raise ValueError(f'{task}: this model gives only '
                             f'{list(face.supported_tasks)}')
        self.task = task
        self.head = face.head
        self.num_things = getattr(face, 'num_things', 0)
        self.num_classes = face.num_classes
        self.from_detector = is_mmdet_side(face)
        self.infer_cfg = infer_cfg or (face.infer_cfg if self.from_detector
                                       else InferenceConfig.from_cfg(None))
        pre = self.model.data_preprocessor
        # mmdet's and mmseg's preprocessors name the BGR -> RGB flag apart
        self.bgr_to_rgb = bool(getattr(pre, '_channel_conversion', False) or
                               getattr(pre, 'channel_conversion', False))
        if getattr(pre, '_enable_normalize', True):
            mean, std = pre.mean.view(1, -1, 1, 1), pre.std.view(1, -1, 1, 1)
        else:
            mean, std = torch.zeros(1, 3, 1, 1), torch.ones(1, 3, 1, 1)
        self.register_buffer('mean', mean.clone(), persistent=False)
        self.register_buffer('std', std.clone(), persistent=False)
        if hasattr(pre, 'pad_size_divisor'):  # mmdet: pads in every mode
            divisor = pre.pad_size_divisor
        else:  # mmseg: pads at test time only as its test_cfg says
            test_cfg = getattr(pre, 'test_cfg', None) or {}
            if test_cfg.get('size'):
                raise ValueError(
                    f'data_preprocessor.test_cfg.size={test_cfg["size"]}: '
                    'padding to a fixed size is not exported; use '
                    'size_divisor')
            divisor = test_cfg.get('size_divisor')
        self.size_divisor = int(divisor or 1)
        self.pad_value = float(getattr(pre, 'pad_value',
                                       getattr(pre, 'pad_val', 0)))
        # mmseg's sliding-window inference (test_cfg mode 'slide'): windows
        # of crop_size every stride over the padded image, inside the graph
        seg_test_cfg = {} if self.from_detector else dict(
            getattr(self.model, 'test_cfg', None) or {})
        self.slide = None
        if seg_test_cfg.get('mode') == 'slide':
            self.slide = (tuple(seg_test_cfg['crop_size']),
                          tuple(seg_test_cfg['stride']))

    def preprocess(self, images: Tensor) -> Tensor:
        """(B, H, W, 3) uint8 -> (B, 3, H_pad, W_pad) normalised, padded at
        the bottom and right: the data preprocessor's arithmetic."""
        if images.dim() != 4 or images.shape[-1] != 3:
            raise ValueError('images must be (B, H, W, 3) uint8 BGR, got '
                             f'{tuple(images.shape)}')
        x = images.permute(0, 3, 1, 2)
        if self.bgr_to_rgb:
            x = x[:, [2, 1, 0]]
        x = (x.float() - self.mean) / self.std
        height, width = x.shape[-2:]
        divisor = self.size_divisor
        return F.pad(x, (0, (-width) % divisor, 0, (-height) % divisor),
                     value=self.pad_value)

    def forward(self, images: Tensor,
                original_size: Optional[Tensor] = None) -> Tuple[Tensor, ...]:
        """The task's outputs (:data:`OUTPUT_NAMES`) then the raw logits;
        at ``original_size`` (``(2,)`` int64) where given."""
        height, width = images.shape[1:3]
        x = self.preprocess(images)
        out_size = None if original_size is None else \
            self.output_size(original_size)
        if self.slide is not None:
            return self.slide_semantic(x, height, width, out_size)
        preds = self.head(self.model.extract_feat(x), all_sets=False)
        class_logits = preds.final_class_logits  # (B, Q, K+1)
        low_res = preds.final_mask_logits  # (B, Q, H_pad/4, W_pad/4)
        cfg = self.infer_cfg

        def full_size(logits: Tensor) -> Tensor:
            # (B, N, H_pad/4, W_pad/4) -> (B, N, H, W) or (B, N, H0, W0)
            logits = self.upsample(logits, x.shape[-2:], height, width)
            if out_size is not None and self.from_detector:
                logits = F.interpolate(logits, size=out_size,
                                       mode='bilinear', align_corners=False)
            return logits

        if self.task == 'panoptic':
            # only the slots that can make a segment go to full size
            candidates = panoptic_candidates(class_logits,
                                             cfg.object_mask_thr)  # (N,)
            mask_logits = full_size(low_res.index_select(1, candidates))
            outputs = panoptic_batched(
                class_logits, mask_logits, self.num_things,
                cfg.object_mask_thr, cfg.overlap_thr, candidates)
        elif self.task == 'instance':
            mask_logits = full_size(low_res)
            outputs = instance_batched(class_logits, mask_logits,
                                       self.num_things, cfg.max_per_image)
        else:
            mask_logits = full_size(low_res)
            outputs = semantic_batched(class_logits, mask_logits)
            if out_size is not None and not self.from_detector:
                # mmseg resizes the class scores to the original size
                seg_logits = F.interpolate(outputs['seg_logits'],
                                           size=out_size, mode='bilinear',
                                           align_corners=False)
                outputs = dict(seg_logits=seg_logits,
                               sem_seg=seg_logits.argmax(1))
        return tuple(outputs[name] for name in OUTPUT_NAMES[self.task]) + (
            class_logits, low_res)

    def slide_semantic(self, x: Tensor, height, width,
                       out_size: Optional[Tuple]) -> Tuple[Tensor, ...]:
        """mmseg's ``slide_inference`` on the padded input ``x`` (B, 3,
        H_pad, W_pad), all windows as one batch: each window's semantic
        scores at its size, averaged where windows overlap
        (:func:`~m2f_mm.deploy.sliding.average_windows`), then cropped (and
        resized) as ``EncoderDecoder`` does. The raw logits are the
        windows' (B * windows, ...), image-major."""
        (crop_h, crop_w), (stride_h, stride_w) = self.slide
        batch = x.shape[0]
        pad_h, pad_w = x.shape[-2:]
        rows, span_h = window_starts(pad_h, crop_h, stride_h, x.device)
        cols, span_w = window_starts(pad_w, crop_w, stride_w, x.device)
        num_h, num_w = rows.shape[0], cols.shape[0]
        row_index = (rows[:, None] + torch.arange(span_h, device=x.device))
        col_index = (cols[:, None] + torch.arange(span_w, device=x.device))
        windows = x.index_select(2, row_index.flatten()).index_select(
            3, col_index.flatten())  # (B, 3, n_h * h, n_w * w)
        windows = windows.view(batch, 3, num_h, span_h, num_w, span_w)
        windows = windows.permute(0, 2, 4, 1, 3, 5).reshape(
            -1, 3, span_h, span_w)  # (B * n_h * n_w, 3, h, w)
        preds = self.head(self.model.extract_feat(windows), all_sets=False)
        class_logits = preds.final_class_logits  # (B * n, Q, K+1)
        low_res = preds.final_mask_logits  # (B * n, Q, h/4, w/4)
        mask_logits = F.interpolate(low_res, size=(span_h, span_w),
                                    mode='bilinear', align_corners=False)
        window_scores = semantic_batched(
            class_logits, mask_logits)['seg_logits']  # (B * n, K, h, w)
        seg_logits = average_windows(
            window_scores.view(batch, num_h, num_w, *window_scores.shape[1:]),
            rows, cols, span_h, span_w, pad_h, pad_w,
            max_cover(crop_h, stride_h),
            max_cover(crop_w, stride_w))  # (B, K, H_pad, W_pad)
        seg_logits = self.crop(seg_logits, height, width)  # (B, K, H, W)
        if out_size is not None:
            seg_logits = F.interpolate(seg_logits, size=out_size,
                                       mode='bilinear', align_corners=False)
        outputs = dict(sem_seg=seg_logits.argmax(1), seg_logits=seg_logits)
        return tuple(outputs[name] for name in OUTPUT_NAMES[self.task]) + (
            class_logits, low_res)

    @staticmethod
    def output_size(original_size: Tensor) -> Tuple:
        """``(H0, W0)`` from the ``(2,)`` input, as sizes the exporters can
        trace (checked against the range of a dynamic export)."""
        height, width = original_size[0].item(), original_size[1].item()
        for side in (height, width):
            torch._check(side >= 1)
            torch._check(side <= MAX_SIDE)
        return height, width

    def upsample(self, low_res: Tensor, padded: Tuple[int, int], height,
                 width) -> Tensor:
        """(B, N, H_pad/4, W_pad/4) mask logits -> (B, N, H, W): resized to
        the padded input and cropped to the image, as the model's predict."""
        mask_logits = F.interpolate(low_res, size=padded, mode='bilinear',
                                    align_corners=False)
        return self.crop(mask_logits, height, width)

    def crop(self, maps: Tensor, height, width) -> Tensor:
        """(..., H_pad, W_pad) -> (..., H, W): the padding cut off."""
        if self.slice_crop:
            return maps[..., :height, :width]
        # the image's rows and columns gathered, not sliced: a slice's
        # contiguity (padded size == image size?) would be decided at the
        # traced size by torch.export
        device = maps.device
        return maps.index_select(
            -2, torch.arange(height, device=device)).index_select(
                -1, torch.arange(width, device=device))
