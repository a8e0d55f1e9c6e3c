"""Fixed-size crops centred on objects, at their native scale."""
import numpy as np


def object_crops(image: np.ndarray, boxes: np.ndarray, size: int) -> np.ndarray:
    """Crop ``size`` x ``size`` windows centred on each box, no resizing.

    Args:
        image: (H, W, C) array.
        boxes: (N, 4) boxes, x1 y1 x2 y2 in pixels.
        size: crop side; the image is mirrored where a window leaves it.

    Returns:
        (N, size, size, C) array of ``image``'s dtype.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    padded = np.pad(image, ((size, size), (size, size), (0, 0)), mode='reflect')
    centres = np.floor((boxes[:, :2] + boxes[:, 2:]) / 2).astype(int)  # (N, 2) x, y
    top_left = centres - size // 2 + size  # in the padded image
    return np.stack([padded[y:y + size, x:x + size] for x, y in top_left]
                    ) if len(boxes) else np.zeros((0, size, size, image.shape[2]),
                                                  image.dtype)
