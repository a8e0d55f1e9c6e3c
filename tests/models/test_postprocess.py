"""Post-processing functions on hand-made predictions with known answers."""
import torch

from m2f_mm.models.postprocess import (INSTANCE_OFFSET, instance_inference,
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
