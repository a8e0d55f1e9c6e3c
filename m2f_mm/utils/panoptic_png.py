"""The COCO-panoptic PNG encoding of segment ids."""
import numpy as np


def id2rgb(ids: np.ndarray) -> np.ndarray:
    """Segment ids (H, W) -> the panoptic PNG's RGB (H, W, 3),
    id = R + 256 G + 256^2 B."""
    ids = ids.astype(np.uint32)
    return np.stack([ids % 256, ids // 256 % 256, ids // 256**2 % 256],
                    axis=-1).astype(np.uint8)
