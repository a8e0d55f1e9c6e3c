"""mmdet's LoadPanopticAnnotations, refusing a PNG of the wrong size."""
import mmcv
from mmdet.datasets.transforms import LoadPanopticAnnotations
from mmengine.fileio import get

from m2f_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class M2FLoadPanopticAnnotations(LoadPanopticAnnotations):
    """``mmdet.LoadPanopticAnnotations`` (same arguments) that refuses a
    panoptic PNG whose size differs from its image's, naming both files
    (mmdet: ``cannot reshape array of size 81920 into shape (96,96)``, or
    silently misaligned labels when the image has no things)."""

    def _load_masks_and_semantic_segs(self, results: dict) -> None:
        try:
            super()._load_masks_and_semantic_segs(results)
        except ValueError as err:
            self._check_size(results, err)
            raise
        if 'gt_seg_map' in results:
            self._check_size(results, None)

    def _check_size(self, results: dict, err) -> None:
        image_hw = tuple(results['ori_shape'][:2])
        if 'gt_seg_map' in results and err is None:
            png_hw = tuple(results['gt_seg_map'].shape[:2])
        else:  # the error path: read the PNG again to say why
            png_hw = mmcv.imfrombytes(get(results['seg_map_path'],
                                          backend_args=self.backend_args)
                                      ).shape[:2]
        if png_hw != image_hw:
            raise ValueError(
                f'{results["seg_map_path"]}: the panoptic PNG is '
                f'{png_hw[0]}x{png_hw[1]} but its image '
                f'{results.get("img_path", "")} is {image_hw[0]}x{image_hw[1]}'
                ': the annotation does not belong to this image (or one of '
                'them was resized); fix the file or its entry in the JSON'
            ) from err
