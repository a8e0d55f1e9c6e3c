"""A video frame's size checked against its video's, right after loading."""
from mmcv.transforms import BaseTransform

from m2f_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class CheckFrameSize(BaseTransform):
    """Refuse a frame whose loaded size differs from the ``height`` and
    ``width`` its video declares (mmdet would fail later, stacking the
    frames, without naming one), naming the frame's file and its video.
    Goes after ``LoadImageFromFile`` inside ``TransformBroadcaster``."""

    def transform(self, results: dict) -> dict:
        shape = tuple(results['img'].shape[:2])
        expected = (results['height'], results['width'])
        if shape != expected:
            raise ValueError(
                f'{results["img_path"]}: frame of video '
                f'{results.get("video_id", "?")} is {shape[1]}x{shape[0]}, '
                f'the video is {expected[1]}x{expected[0]} (all frames of a '
                'video must have its size)')
        return results
