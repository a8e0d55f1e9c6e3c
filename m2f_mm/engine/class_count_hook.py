"""Refuse, when a run starts, a model whose class counts differ from the
dataset's (it would train, then fail or mislabel in evaluation)."""
from mmengine.hooks import Hook

from m2f_mm.models.segmentors import is_mmdet_side, model_face
from m2f_mm.registry import HOOKS


def dataset_class_counts(metainfo: dict, things_first: bool):
    """(things, stuff) of a dataset's metainfo; None where it names no
    classes (the counts are then read from its annotation file later)."""
    classes = metainfo.get('classes')
    if not classes:
        return None
    if not things_first:
        return 0, len(classes)
    things = metainfo.get('thing_classes', classes)
    return len(things), len(metainfo.get('stuff_classes', ()))


@HOOKS.register_module()
class ClassCountHook(Hook):
    """Before training, validation and testing, compare the model's class
    counts with its dataset's metainfo; a difference stops the run at once,
    naming both and the dataset's annotation file."""

    priority = 'VERY_HIGH'

    def _check(self, runner, split: str, loader) -> None:
        try:
            face = model_face(runner.model)
        except TypeError:  # another model (an experiment's baseline, say)
            return
        dataset = loader.dataset
        detector = is_mmdet_side(face)  # things first
        counts = dataset_class_counts(dataset.metainfo, detector)
        model_counts = (face.num_things, face.num_classes - face.num_things)
        if counts is None or counts == model_counts:
            return
        source = getattr(dataset, 'ann_file', '') or type(dataset).__name__
        if detector:
            mine = (f'num_things_classes={model_counts[0]}, '
                    f'num_stuff_classes={model_counts[1]}')
            theirs = f'{counts[0]} thing and {counts[1]} stuff classes'
        else:
            mine = f'num_classes={model_counts[1]}'
            theirs = f'{counts[1]} classes'
        raise ValueError(
            f'the model has {mine}, but the {split} dataset ({source}) has '
            f'{theirs}: set the class counts to the dataset\'s (in m2f_mm '
            'configs they come from the dataset base)')

    def before_train(self, runner) -> None:
        self._check(runner, 'train', runner.train_dataloader)

    def before_val(self, runner) -> None:
        self._check(runner, 'val', runner.val_dataloader)

    def before_test(self, runner) -> None:
        self._check(runner, 'test', runner.test_dataloader)
