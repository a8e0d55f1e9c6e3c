"""What the export tests share: the untrained panoptic quickstart model with
thresholds that keep its segments, its checkpoint and three shapes scenes;
batches of those scenes at sizes other than the traced one; an ONNX
Runtime run as named outputs."""
import os.path as osp

import numpy as np
import torch

from .tools import REPO_ROOT

QUICKSTART = osp.join(REPO_ROOT, 'configs', 'quickstart',
                      'm2f_r18_shapes_panoptic.py')
#: (H, W) and batch of the ONNX Runtime runs: neither a multiple of 32 nor
#: the traced 128 x 128 (batch 2).
RUNS = (((100, 150), 2), ((77, 130), 1))


def untrained_deploy_files(root) -> dict:
    """In the folder ``root`` (a ``pathlib.Path``): ``config.py``, the
    quickstart config with thresholds that keep the untrained model's
    segments; ``model.pth``, that model (seed 0, no-object made unlikely);
    ``shapes/``, 3 val scenes at 128 px.

    Returns:
        ``dict(root, config, checkpoint, images)``, ``images`` the 3 scenes
        as cv2 reads them.
    """
    import cv2
    from mmengine.config import Config

    from m2f_mm.apis import init_model
    from m2f_mm.datasets import generate
    cfg = Config.fromfile(QUICKSTART)
    cfg.model.test_cfg.object_mask_thr = 0.0
    cfg.model.test_cfg.overlap_thr = 0.0  # untrained masks overlap a lot
    cfg.model.test_cfg.max_per_image = 30
    config = str(root / 'config.py')
    cfg.dump(config)
    torch.manual_seed(0)
    model, _, _ = init_model(config)
    with torch.no_grad():  # untrained: make no-object unlikely
        model.head.class_head.bias[-1] = -10
    checkpoint = str(root / 'model.pth')
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    generate(str(root / 'shapes'), dict(val=3), size=128)
    images = [cv2.imread(str(root / 'shapes' / 'images' / 'val' /
                                 f'00000{i}.jpg')) for i in (1, 2, 3)]
    return dict(root=root, config=config, checkpoint=checkpoint,
                images=images)


def image_batches(images):
    """(B, H, W, 3) uint8 batches of ``images``, one per :data:`RUNS`."""
    import cv2
    for (height, width), batch in RUNS:
        yield np.stack([cv2.resize(img, (width, height))
                        for img in images[:batch]])


def padded_shape(images):
    """(H, W) of ``images`` (B, H, W, 3) padded to the quickstart's size
    divisor, 32."""
    return tuple(-(-size // 32) * 32 for size in images.shape[1:3])


def run_onnx(path, images):
    """``{output name: tensor}`` of ONNX Runtime running the exported file
    ``path`` on ``images`` (its task from the file's metadata)."""
    from m2f_mm.deploy import output_names
    from m2f_mm.deploy.ort_model import open_session
    session, meta = open_session(path)
    outputs = session.run(None, {'images': images})
    return {name: torch.from_numpy(value) for name, value in
            zip(output_names(meta['m2f_mm.task']), outputs)}
