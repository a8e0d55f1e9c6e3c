"""Mask2Former's model parts, one paper concept per file."""
from . import decoders, heads, losses, pixel_decoders, postprocess, segmentors  # noqa: F401
