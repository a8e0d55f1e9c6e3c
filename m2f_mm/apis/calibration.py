"""Calibration images for INT8 quantization: a config's own train or val
images, through its test pipeline (the scale the model sees at test time),
as the exported graphs take them."""
from typing import List, Union

import cv2
import numpy as np
from mmengine.config import Config

from m2f_mm.registry import DATASETS
from .inferencer import _config, array_pipeline


def calibration_images(config: Union[str, Config], count: int,
                       split: str = 'train') -> List[np.ndarray]:
    """``count`` images of the config's ``split`` dataset (evenly spaced
    over it), each resized by the test pipeline: a list of (1, H, W, 3)
    uint8 BGR arrays.

    Raises:
        ValueError: ``count`` < 1, a split the config has no loader for, or
            a dataset with fewer than ``count`` images.
        FileNotFoundError: an image file that cannot be read (named).
    """
    if count < 1:
        raise ValueError(f'calibration needs at least one image, not {count}')
    cfg = _config(config)
    loader = cfg.get(f'{split}_dataloader')
    if loader is None:
        raise ValueError(f'{cfg.filename}: no {split}_dataloader to '
                         'calibrate on')
    # the model's side names the pipeline's scope (mmseg's EncoderDecoder)
    scope = 'mmseg' if str(cfg.model.type).startswith('mmseg.') else 'mmdet'
    dataset_cfg = dict(loader.dataset, pipeline=[], test_mode=True,
                       lazy_init=False)
    dataset_cfg.pop('serialize_data', None)
    dataset = DATASETS.build(dataset_cfg)
    if len(dataset) < count:
        raise ValueError(f'{cfg.filename}: the {split} set has '
                         f'{len(dataset)} images, fewer than {count}')
    pipeline = array_pipeline(cfg, scope)
    images = []
    for index in np.linspace(0, len(dataset) - 1, count).round().astype(int):
        path = dataset.get_data_info(int(index))['img_path']
        image = cv2.imread(path)
        if image is None:
            raise FileNotFoundError(f'{path}: not a readable image')
        inputs = pipeline(dict(img=image, img_id=str(index),
                               img_path=path))['inputs']  # (3, H, W) uint8
        images.append(inputs.permute(1, 2, 0).contiguous().numpy()[None])
    return images
