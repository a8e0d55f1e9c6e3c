"""Pixel decoders other than the deformable one: the FPN pixel decoder, any
mmdet/mmseg neck as a pixel decoder, our decoder as a neck, and the contract
the head checks."""
import pytest
import torch
from mmengine.registry import init_default_scope

import m2f_mm  # noqa: F401
from m2f_mm.models.pixel_decoders import (DeformableNeck,
                                          DeformablePixelDecoder,
                                          FPNPixelDecoder, NeckPixelDecoder,
                                          build_pixel_decoder)
from m2f_mm.registry import MODELS

IN_CHANNELS = [8, 16, 32, 64]


def feats(batch=2, size=64):
    torch.manual_seed(1)
    return [torch.randn(batch, c, size // s, size // s)
            for c, s in zip(IN_CHANNELS, [4, 8, 16, 32])]


def head(pixel_decoder):
    init_default_scope('m2f_mm')
    return MODELS.build(dict(
        type='M2FHead', in_channels=IN_CHANNELS, num_classes=5,
        num_queries=6, feat_channels=32, embed_dims=32, mask_dims=16,
        pixel_decoder=pixel_decoder,
        transformer_decoder=dict(type='MaskedAttentionDecoder', num_layers=3,
                                 num_heads=4, feedforward_dims=64)))


def test_fpn_pixel_decoder_equals_maskformers_fpn():
    """The official BasePixelDecoder is MaskFormer's FPN; mmdet's MaskFormer
    PixelDecoder (the oracle) computes the same mask features from the same
    weights, and our multi-scale maps are its pyramid, lowest first."""
    from mmdet.models.layers import PixelDecoder
    torch.manual_seed(0)
    ours = FPNPixelDecoder(in_channels=IN_CHANNELS, feat_channels=32,
                           out_channels=16, num_groups=8)
    ours.init_weights()
    ref = PixelDecoder(in_channels=IN_CHANNELS, feat_channels=32,
                       out_channels=16, norm_cfg=dict(type='GN', num_groups=8))
    n = len(IN_CHANNELS)
    mapping = {'last_feat_conv.conv': 'top_conv.0',
               'last_feat_conv.gn': 'top_conv.1', 'mask_feature': 'mask_proj'}
    for i in range(n - 1):  # mmdet indexes by input, highest resolution first
        j = n - 2 - i
        mapping.update({f'lateral_convs.{i}.conv': f'lateral_convs.{j}.0',
                        f'lateral_convs.{i}.gn': f'lateral_convs.{j}.1',
                        f'output_convs.{i}.conv': f'output_convs.{j}.0',
                        f'output_convs.{i}.gn': f'output_convs.{j}.1'})
    ours_state = ours.state_dict()
    ref.load_state_dict({
        key: ours_state[mapping[key.rsplit('.', 1)[0]] + '.' +
                        key.rsplit('.', 1)[1]]
        for key in ref.state_dict()})
    x = feats()
    mask_features, multi_scale = ours(x)
    ref_mask, _ = ref(x, None)
    assert mask_features.shape == (2, 16, 16, 16)
    assert torch.equal(mask_features, ref_mask)
    assert [m.shape[-1] for m in multi_scale] == [2, 4, 8]
    assert all(m.shape[1] == 32 for m in multi_scale)


@pytest.mark.parametrize('neck', [
    dict(type='mmdet.FPN'), dict(type='mmdet.ChannelMapper'),
    dict(type='mmseg.FPN')])
def test_a_neck_named_as_pixel_decoder_is_wrapped_and_trains(neck):
    model = head(neck)
    assert isinstance(model.pixel_decoder, NeckPixelDecoder)
    model.init_weights()
    x = feats()
    outs = model.pixel_decoder.neck(x)
    mask_features, multi_scale = model.pixel_decoder(x)
    # the neck's highest-resolution map becomes the mask features, the next
    # three (lowest resolution first) the decoder's levels
    assert torch.allclose(mask_features, model.pixel_decoder.mask_proj(outs[0]))
    assert all(torch.equal(a, b) for a, b in zip(multi_scale, outs[1:4][::-1]))
    preds = model(x)
    assert preds.mask_logits[-1].shape == (2, 6, 16, 16)
    loss = preds.mask_logits[-1].square().mean() + preds.class_logits[-1].sum()
    loss.backward()
    neck_grads = [p.grad for p in model.pixel_decoder.neck.parameters()]
    assert all(g is not None for g in neck_grads)
    assert sum(g.abs().sum() for g in neck_grads) > 0


def test_a_neck_with_the_wrong_outputs_is_refused_with_the_reason():
    decoder = NeckPixelDecoder(neck=dict(type='mmdet.FPN', out_channels=24),
                               in_channels=IN_CHANNELS, feat_channels=32,
                               out_channels=16)
    with pytest.raises(ValueError, match='feat_channels=32'):
        decoder(feats())
    too_few = NeckPixelDecoder(neck=dict(type='mmdet.FPN', num_outs=2,
                                         start_level=2),
                               in_channels=IN_CHANNELS, feat_channels=32,
                               out_channels=16)
    with pytest.raises(ValueError, match='returned 2 maps'):
        too_few(feats())


def test_decoders_outside_the_contract_are_refused_with_the_reason():
    init_default_scope('m2f_mm')
    with pytest.raises(TypeError, match='batch_img_metas'):
        build_pixel_decoder(dict(type='mmdet.PixelDecoder'),
                            in_channels=IN_CHANNELS, feat_channels=32,
                            out_channels=16)
    with pytest.raises(KeyError, match="'NoSuchDecoder' is not registered"):
        build_pixel_decoder(dict(type='NoSuchDecoder'), in_channels=IN_CHANNELS,
                            feat_channels=32, out_channels=16)


def test_deformable_neck_returns_the_pixel_decoders_maps():
    torch.manual_seed(0)
    decoder = DeformablePixelDecoder(in_channels=IN_CHANNELS, feat_channels=32,
                                     out_channels=16, num_heads=4,
                                     feedforward_dims=64, num_groups=8)
    decoder.init_weights()
    neck = DeformableNeck(in_channels=IN_CHANNELS, out_channels=32,
                          num_heads=4, feedforward_dims=64, num_groups=8)
    state = {k: v for k, v in decoder.state_dict().items()
             if not k.startswith('mask_proj')}
    neck.decoder.load_state_dict(state)  # strict: the same parameters
    x = feats()
    outs = neck(x)
    mask_features, multi_scale = decoder(x)
    assert [tuple(o.shape) for o in outs] == [
        (2, 32, 16, 16), (2, 32, 8, 8), (2, 32, 4, 4), (2, 32, 2, 2)]
    assert all(torch.equal(a, b) for a, b in zip(outs[1:][::-1], multi_scale))
    assert torch.equal(decoder.mask_proj(outs[0]), mask_features)


def test_mmdet_spelling_of_the_encoder_builds_the_same_decoder():
    torch.manual_seed(0)
    ours = DeformablePixelDecoder(in_channels=IN_CHANNELS, feat_channels=32,
                                  out_channels=16, num_layers=2, num_heads=4,
                                  num_points=2, feedforward_dims=64,
                                  num_groups=8)
    mmdet_spelling = dict(
        num_layers=2, layer_cfg=dict(
            self_attn_cfg=dict(embed_dims=32, num_heads=4, num_levels=3,
                               num_points=2, dropout=0.0, batch_first=True),
            ffn_cfg=dict(embed_dims=32, feedforward_channels=64, num_fcs=2,
                         ffn_drop=0.0, act_cfg=dict(type='ReLU',
                                                    inplace=True))))
    spelled = DeformablePixelDecoder(in_channels=IN_CHANNELS, feat_channels=32,
                                     out_channels=16, num_groups=8,
                                     encoder=mmdet_spelling)
    spelled.load_state_dict(ours.state_dict())  # strict: the same shapes
    assert len(spelled.layers) == 2
    mmdet_spelling['layer_cfg']['self_attn_cfg']['dropout'] = 0.1
    with pytest.raises(ValueError, match='dropout=0.1'):
        DeformablePixelDecoder(in_channels=IN_CHANNELS, feat_channels=32,
                               encoder=mmdet_spelling)
