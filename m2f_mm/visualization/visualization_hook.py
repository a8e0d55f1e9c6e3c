"""One visualisation hook for both faces: it draws with whatever visualiser
the config names (mmdet's for M2FDetector configs, mmseg's for semantic
ones), so every config shares one runtime."""
import os.path as osp
from dataclasses import dataclass, field
from typing import Optional, Sequence

import mmcv
from mmdet.visualization import DetLocalVisualizer
from mmengine.fileio import get
from mmengine.hooks import Hook
from mmengine.utils import mkdir_or_exist
from mmengine.visualization import Visualizer

from m2f_mm.registry import HOOKS


@HOOKS.register_module()
@dataclass(eq=False)  # hooks compare and hash by identity
class M2FVisualizationHook(Hook):
    """Draw predictions over their images: one image every ``interval``
    validation iterations (to the visualiser's backends), and with ``draw``
    every test image (to ``test_out_dir`` when given, as mmdet's and mmseg's
    ``--show-dir`` do).

    Args:
        draw: draw at all (``tools/test.py --show-dir`` switches it on).
        interval: validation iterations between drawings.
        score_thr: instances below this score are not drawn (mmdet's
            visualiser; mmseg's draws every pixel's class).
        show: open a window instead of writing to the backends.
        wait_time: seconds a shown window stays.
        test_out_dir: folder under ``work_dir/<timestamp>/`` for the test
            pictures, named after their images.
        backend_args: file backend arguments to read the images.
    """

    draw: bool = False
    interval: int = 50
    score_thr: float = 0.3
    show: bool = False
    wait_time: float = 0.
    test_out_dir: Optional[str] = None
    backend_args: Optional[dict] = None
    #: where test pictures go, resolved when testing starts.
    _out_dir: Optional[str] = field(default=None, init=False)
    _test_index: int = field(default=0, init=False)

    def _add(self, name: str, sample, step: int,
             out_file: Optional[str] = None) -> None:
        visualizer = Visualizer.get_current_instance()
        if self.show:
            visualizer._vis_backends = {}  # a window only, nothing stored
        image = mmcv.imfrombytes(get(sample.img_path,
                                     backend_args=self.backend_args),
                                 channel_order='rgb')
        options = dict(pred_score_thr=self.score_thr) if isinstance(
            visualizer, DetLocalVisualizer) else {}
        visualizer.add_datasample(
            osp.basename(sample.img_path) if self.show else name, image,
            data_sample=sample, show=self.show,
            wait_time=self.wait_time, out_file=out_file, step=step, **options)

    def after_val_iter(self, runner, batch_idx: int, data_batch: dict,
                       outputs: Sequence) -> None:
        step = runner.iter + batch_idx
        if self.draw and step % self.interval == 0:
            self._add('val_img', outputs[0], step)

    def before_test(self, runner) -> None:
        if self.draw and self.test_out_dir is not None:
            self._out_dir = osp.join(runner.work_dir, runner.timestamp,
                                     self.test_out_dir)
            mkdir_or_exist(self._out_dir)

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict,
                        outputs: Sequence) -> None:
        if not self.draw:
            return
        for sample in outputs:
            self._test_index += 1
            out_file = None if self._out_dir is None else osp.join(
                self._out_dir, osp.basename(sample.img_path))
            self._add('test_img', sample, self._test_index, out_file)
