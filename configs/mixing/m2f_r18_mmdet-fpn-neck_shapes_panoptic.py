# Mixing, neck as pixel decoder: mmdet's FPN named as the pixel decoder. The
# head wraps any neck (a class without feat_channels) in NeckPixelDecoder:
# in_channels, out_channels (= feat_channels) and num_outs are filled in; the
# neck's 1/4 map, projected, gives the mask features and its 1/8, 1/16, 1/32
# maps the levels the transformer decoder attends. mmseg's necks
# ('mmseg.FPN') and mmdet's ChannelMapper work the same way.
_base_ = ['../quickstart/m2f_r18_shapes_panoptic.py']
model = dict(
    head=dict(pixel_decoder=dict(_delete_=True, type='mmdet.FPN')))
