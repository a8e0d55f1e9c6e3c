# Mixing, pixel decoder: the quickstart model with the paper's light FPN
# pixel decoder (Table 4e: no deformable-attention encoder) instead of
# MSDeformAttn. Any class keeping the pixel-decoder contract
# (m2f_mm/models/pixel_decoders/__init__.py) can be named here.
_base_ = ['../quickstart/m2f_r18_shapes_panoptic.py']
model = dict(
    head=dict(pixel_decoder=dict(_delete_=True, type='FPNPixelDecoder',
                                 num_encoder_levels=3, num_groups=32)))
