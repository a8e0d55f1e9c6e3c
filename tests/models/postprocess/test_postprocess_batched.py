"""The batched, static-shape post-processing (what exported graphs compute)
makes the decisions of the per-image functions, image by image."""
import pytest
import torch
from mmdet.structures.mask import mask2bbox

from m2f_mm.models.postprocess import (instance_inference,
                                       panoptic_inference, semantic_inference)
from m2f_mm.models.postprocess.batched import (instance_batched,
                                               masks_to_boxes,
                                               panoptic_batched,
                                               panoptic_candidates,
                                               semantic_batched)


def _strips(seed, num_queries=12, num_classes=6, height=30, width=48):
    """Class and mask logits where query k covers strip k of the image, 9
    queries confident, query 5 a copy of query 2 (a tie everywhere)."""
    torch.manual_seed(seed)
    cls = torch.randn(num_queries, num_classes + 1)
    cls[:9, :num_classes] += 6 * torch.eye(num_classes).repeat(2, 1)[:9]
    masks = torch.randn(num_queries, height, width) * 0.5 - 4
    for k in range(num_queries):
        masks[k, :, 4 * k:4 * k + 4] += 8
    masks[k // 2] += torch.randn(height, width) * 3  # one ragged mask
    masks[5], cls[5] = masks[2], cls[2]
    return cls, masks


@pytest.mark.parametrize('overlap_thr', [0.3, 0.8])
def test_panoptic_batched_equals_per_image(overlap_thr):
    pairs = [_strips(seed) for seed in range(3)]
    pairs[2][0][:, -1] = 20.  # nothing kept in the third image: all void
    cls = torch.stack([c for c, _ in pairs])
    masks = torch.stack([m for _, m in pairs])
    out = panoptic_batched(cls, masks, 3, object_mask_thr=0.5,
                           overlap_thr=overlap_thr)
    for b, (c, m) in enumerate(pairs):
        expected = panoptic_inference(c, m, 3, object_mask_thr=0.5,
                                      overlap_thr=overlap_thr)
        assert torch.equal(out['panoptic'][b], expected)
        # the per-query table names exactly the segments of the map
        ids = out['segment_ids'][b]
        assert set(ids[ids >= 0].tolist()) == set(expected.unique().tolist()) - {6}
    assert out['panoptic'].dtype == torch.int32
    assert (out['panoptic'][2] == 6).all() and (out['segment_ids'][2] < 0).all()
    assert len(out['panoptic'][0].unique()) > 3


@pytest.mark.parametrize('kept_nowhere', [False, True])
def test_panoptic_on_the_candidate_slots_only_is_the_same(kept_nowhere):
    """The exported graph resizes only the candidate slots' masks: the
    results equal those over all Q slots, also when no slot is kept in any
    image (the candidates are then slot 0 alone)."""
    pairs = [_strips(seed) for seed in range(3)]
    pairs[1][0][3:9, -1] = 20.  # image 1 keeps fewer queries
    if kept_nowhere:
        for c, _ in pairs:
            c[:, -1] = 20.
    cls = torch.stack([c for c, _ in pairs])
    masks = torch.stack([m for _, m in pairs])
    if not kept_nowhere:
        cls[:, 10, 0] = 30.  # slot 10 kept in every image, after a gap
    candidates = panoptic_candidates(cls, 0.5)
    if kept_nowhere:
        assert candidates.tolist() == [0]
    else:
        assert candidates.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 10]
    full = panoptic_batched(cls, masks, 3, 0.5, 0.8)
    subset = panoptic_batched(cls, masks.index_select(1, candidates), 3,
                              0.5, 0.8, candidates)
    for name, value in full.items():
        assert torch.equal(subset[name], value), name
    if kept_nowhere:
        assert (full['segment_ids'] < 0).all()
        assert (full['panoptic'] == 6).all()
    else:
        assert (full['segment_ids'] >= 0).sum() > 3


def test_instance_batched_equals_per_image():
    torch.manual_seed(0)
    cls, masks = torch.randn(2, 10, 6), torch.randn(2, 10, 12, 16) * 3
    masks[0, 4] = -10.  # an empty mask: zero box, as mmdet's
    out = instance_batched(cls, masks, num_things=3, max_per_image=20)
    assert out['scores'].shape == (2, 20)
    for b in range(2):
        scores, labels, bin_masks, boxes = instance_inference(
            cls[b], masks[b], num_things=3, max_per_image=20)
        valid = out['valid'][b]
        assert valid.sum() == len(scores)
        order = scores.argsort(descending=True)
        got = out['scores'][b][valid]
        got_order = got.argsort(descending=True)
        torch.testing.assert_close(got[got_order], scores[order],
                                   rtol=0, atol=1e-6)
        assert torch.equal(out['labels'][b][valid][got_order], labels[order])
        assert torch.equal(out['masks'][b][valid][got_order], bin_masks[order])
        assert torch.equal(out['bboxes'][b][valid][got_order], boxes[order])
        assert (out['labels'][b][~valid] >= 3).all()


def test_masks_to_boxes_is_mask2bbox():
    torch.manual_seed(1)
    masks = torch.rand(7, 9, 11) > 0.93
    masks[0] = False
    masks[1] = False
    masks[1, 8, 10] = True  # the corner pixel: box up to (11, 9)
    assert torch.equal(masks_to_boxes(masks), mask2bbox(masks))
    assert masks_to_boxes(masks[None]).shape == (1, 7, 4)


def test_semantic_batched_is_semantic_inference():
    cls, masks = torch.randn(2, 5, 4), torch.randn(2, 5, 6, 7)
    out = semantic_batched(cls, masks)
    scores = semantic_inference(cls, masks)
    assert torch.equal(out['seg_logits'], scores)
    assert torch.equal(out['sem_seg'], scores.argmax(1))
