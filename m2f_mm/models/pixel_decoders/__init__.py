"""Pixel decoders."""
from .deformable_pixel_decoder import DeformablePixelDecoder

__all__ = ['DeformablePixelDecoder']
