"""Post-processing functions on hand-made predictions with known answers."""
import pytest
import torch

from m2f_mm.models.postprocess import (INSTANCE_OFFSET, QueryMasks,
                                       instance_inference,
                                       panoptic_inference, semantic_inference)

BIG = 20.


def _logits_for(num_classes, labels):
    """Class logits (Q, K+1) confidently predicting ``labels`` (K = no object)."""
    logits = torch.full((len(labels), num_classes + 1), -BIG)
    for q, c in enumerate(labels):
        logits[q, c] = BIG
    return logits


def test_panoptic_things_get_ids_and_stuff_merges():
    # 2 things (0, 1), 2 stuff (2, 3); 4x4 image
    masks = torch.full((5, 4, 4), -BIG)
    masks[0, :2, :2] = BIG          # thing 0
    masks[1, :2, 2:] = BIG          # thing 0, second instance
    masks[2, 2:, :2] = BIG          # stuff 2
    masks[3, 2:, 2:] = BIG          # stuff 2 again: merges with query 2
    masks[4] = BIG                  # no-object query: dropped
    cls = _logits_for(4, [0, 0, 2, 2, 4])
    pan = panoptic_inference(cls, masks, num_things=2)
    assert pan.dtype == torch.int32
    assert pan[0, 0] == 0 + 1 * INSTANCE_OFFSET
    assert pan[0, 3] == 0 + 2 * INSTANCE_OFFSET
    assert (pan[2:] == 2).all()


def test_panoptic_low_score_and_occluded_queries_are_dropped():
    masks = torch.full((3, 4, 4), -BIG)
    masks[0] = BIG                          # covers everything, score high
    masks[1, :2] = BIG                      # mostly hidden by query 0
    masks[2, 2:] = BIG
    cls = _logits_for(3, [2, 0, 1])
    cls[1, 0] = BIG + 1                     # query 1 is even more confident
    cls[2] = 0.                             # query 2 below object_mask_thr
    cls[0, 2] = BIG + 2                     # query 0 wins every pixel
    pan = panoptic_inference(cls, masks, num_things=2)
    assert (pan == 2).all()                 # only query 0's stuff survives


def test_panoptic_nothing_kept_gives_void():
    cls = _logits_for(3, [3, 3])
    pan = panoptic_inference(cls, torch.randn(2, 5, 5), num_things=1)
    assert (pan == 3).all()


def test_instance_scores_boxes_and_thing_filter():
    masks = torch.full((2, 6, 6), -BIG)
    masks[0, 1:3, 2:5] = BIG
    masks[1, 3:, :] = BIG
    cls = _logits_for(3, [1, 2])            # class 2 is stuff
    scores, labels, bin_masks, boxes = instance_inference(cls, masks,
                                                          num_things=2,
                                                          max_per_image=4)
    keep = scores > 0.5
    assert labels[keep].tolist() == [1]
    assert (labels < 2).all()
    i = int(torch.nonzero(keep)[0])
    assert bin_masks[i].sum() == 6
    assert boxes[i].tolist() == [2., 1., 5., 3.]
    torch.testing.assert_close(scores[i], torch.tensor(1.), atol=1e-4, rtol=0)


def test_semantic_is_probability_weighted_masks():
    cls = torch.randn(2, 5, 4)
    masks = torch.randn(2, 5, 3, 3)
    sem = semantic_inference(cls, masks)
    assert sem.shape == (2, 3, 3, 3)
    expected = (cls.softmax(-1)[0, :, 1, None, None] * masks[0].sigmoid()).sum(0)
    torch.testing.assert_close(sem[0, 1], expected)


def _low_res_masks():
    """(Q, h, w) logits of an image of 37 x 50 padded to 40 x 52, at 1/4."""
    torch.manual_seed(0)
    return torch.randn(9, 10, 13) * 4, (40, 52), (37, 50)


def _resize_all_as_mmdet(low_res, pad_size, img_size, ori_size):
    """Every query resized at once, as mmdet's post-processing does."""
    import torch.nn.functional as F
    masks = F.interpolate(low_res[None], size=pad_size, mode='bilinear',
                          align_corners=False)[0, :, :img_size[0], :img_size[1]]
    return F.interpolate(masks[None], size=ori_size, mode='bilinear',
                         align_corners=False)[0]


def _same_up_to_rounding(a, b):
    """Equal but for the resize kernel's vector/scalar rounding (see
    query_masks.py), and equal signs: equal masks."""
    torch.testing.assert_close(a, b, rtol=1e-6, atol=4e-6)
    assert torch.equal(a > 0, b > 0)


@pytest.mark.parametrize('ori_size', [(37, 50), (74, 99)])
def test_query_masks_resize_only_what_is_asked(ori_size):
    low_res, pad_size, img_size = _low_res_masks()
    expected = _resize_all_as_mmdet(low_res, pad_size, img_size, ori_size)
    masks = QueryMasks(low_res, pad_size, img_size, ori_size)
    assert masks.shape == expected.shape
    picks = torch.tensor([4, 1, 4, 8])
    _same_up_to_rounding(masks[picks], expected[picks])
    chosen = torch.zeros(9, dtype=torch.bool)
    chosen[[0, 5]] = True
    _same_up_to_rounding(masks[chosen], expected[chosen])
    assert masks[torch.zeros(9, dtype=torch.bool)].shape == (0, *ori_size)
    assert torch.equal(masks.all(), expected)  # all at once: as mmdet
    # in place where contiguous, as sigmoid() on the same layout
    assert torch.equal(masks.all_probs(), masks.all().sigmoid())
    torch.testing.assert_close(masks.all_probs(), expected.sigmoid(),
                               rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize('threads', [2, 1])
def test_query_masks_at_coco_size(threads):
    """At a COCO test size (800 x 1216 padded to 800 x 1216, rescaled to
    the original 640 x 973), subsets of 1 to 16 of 100 queries: with torch
    on 2 threads (the benchmarks' setting) exactly mmdet's rows; on 1
    thread (each pytest-xdist worker's) the kernel's vector/scalar split
    moves a subset's values by an ulp (seen: the 3-query subset, up to
    1.9e-6), the signs, i.e. the masks, unchanged."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        torch.manual_seed(0)
        low_res = torch.randn(100, 200, 304) * 4
        expected = _resize_all_as_mmdet(low_res, (800, 1216), (800, 1216),
                                        (640, 973))
        masks = QueryMasks(low_res, (800, 1216), (800, 1216), (640, 973))
        for n in (1, 3, 7, 16):
            picks = torch.randperm(100)[:n]
            if threads == 2:
                assert torch.equal(masks[picks], expected[picks]), n
            else:
                _same_up_to_rounding(masks[picks], expected[picks])
    finally:
        torch.set_num_threads(previous)


def test_post_processing_on_query_masks_equals_on_all_masks():
    low_res, pad_size, img_size = _low_res_masks()
    full = _resize_all_as_mmdet(low_res, pad_size, img_size, (74, 99))
    torch.manual_seed(1)
    cls = torch.randn(9, 6) * 3
    cls[:4, 1] += 8  # confident queries: kept by the panoptic merge
    lazy = QueryMasks(low_res, pad_size, img_size, (74, 99))
    pan = panoptic_inference(cls, lazy, 3, object_mask_thr=0.5,
                             overlap_thr=0.3)
    assert torch.equal(pan, panoptic_inference(cls, full, 3,
                                               object_mask_thr=0.5,
                                               overlap_thr=0.3))
    assert len(pan.unique()) > 2
    # 20 of the 45 (query, class) pairs: several pairs share a query
    for a, b in zip(instance_inference(cls, lazy, 3, max_per_image=20),
                    instance_inference(cls, full, 3, max_per_image=20)):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-6)


def _panoptic_all_at_once(cls, masks, num_things, object_mask_thr,
                          overlap_thr):
    """The merge with every kept query's map held at once (the official
    code's form), to check the query-by-query merge against."""
    num_classes = cls.shape[-1] - 1
    scores, labels = cls.softmax(-1).max(-1)
    keep = labels.ne(num_classes) & (scores > object_mask_thr)
    scores, labels, probs = scores[keep], labels[keep], masks[keep].sigmoid()
    pan = torch.full(masks.shape[-2:], num_classes, dtype=torch.int32)
    winner = (scores[:, None, None] * probs).argmax(0)
    own = probs >= 0.5
    instance_id = 1
    for k, label in enumerate(labels.tolist()):
        won = winner == k
        segment = won & own[k]
        if not won.any() or not own[k].any() or not segment.any():
            continue
        if won.sum() / own[k].sum() < overlap_thr:
            continue
        if label < num_things:
            pan[segment] = label + instance_id * INSTANCE_OFFSET
            instance_id += 1
        else:
            pan[segment] = label
    return pan


def test_panoptic_merge_by_chunks_equals_all_at_once_ties_included():
    torch.manual_seed(2)
    cls = torch.randn(12, 7)
    cls[:9, :6] += 6 * torch.eye(6).repeat(2, 1)[:9]  # 9 confident queries
    # query k covers strip k of the image (and a little noise)
    masks = torch.randn(12, 30, 48) * 0.5 - 4
    for k in range(12):
        masks[k, :, 4 * k:4 * k + 4] += 8
    masks[5] = masks[2]  # query 5 ties query 2 everywhere: the earlier wins
    cls[5] = cls[2]
    segments = []
    for thr in (0.3, 0.8):
        pan = panoptic_inference(cls, masks, 3, object_mask_thr=0.5,
                                 overlap_thr=thr)
        assert torch.equal(pan, _panoptic_all_at_once(cls, masks, 3, 0.5, thr))
        segments.append(len(pan.unique()))
    assert segments[0] > 3


def _boxes(masks):
    from m2f_mm.models.postprocess.batched import masks_to_boxes
    return masks_to_boxes(masks)


def test_merge_view_instances_drops_same_class_duplicates_only():
    from m2f_mm.models.postprocess import merge_view_instances
    masks = torch.zeros(4, 8, 8, dtype=torch.bool)
    masks[0, :4, :4] = True  # A
    masks[1, :4, :3] = True  # A again, IoU 0.75: a duplicate
    masks[2, :4, :4] = True  # A's region, another class: kept
    masks[3, 4:, 4:] = True  # elsewhere: kept
    view1 = (torch.tensor([0.9, 0.8]), torch.tensor([0, 0]), masks[:2],
             _boxes(masks[:2]))
    view2 = (torch.tensor([0.7, 0.6]), torch.tensor([1, 0]), masks[2:],
             _boxes(masks[2:]))
    scores, labels, kept, boxes = merge_view_instances([view1, view2])
    assert scores.tolist() == pytest.approx([0.9, 0.7, 0.6])
    assert labels.tolist() == [0, 1, 0]
    assert torch.equal(kept, masks[[0, 2, 3]])
    assert torch.equal(boxes, _boxes(masks[[0, 2, 3]]))
    # the same view twice: each instance once
    scores, labels, kept, _ = merge_view_instances([view2, view2])
    assert scores.tolist() == pytest.approx([0.7, 0.6])
    # at most max_per_image, best first
    assert merge_view_instances([view1, view2], max_per_image=1)[0].tolist() \
        == pytest.approx([0.9])
    # below the IoU threshold both stay
    assert len(merge_view_instances([view1], iou_thr=0.8)[0]) == 2
