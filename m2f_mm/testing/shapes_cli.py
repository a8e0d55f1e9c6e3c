"""Command-line options shared by the tests that run tools/ on the
synthetic scenes."""


def data_options(task, root):
    """--cfg-options pointing a quickstart config's loaders and evaluators at
    the synthetic scenes in ``root`` (a fresh clone has no data/shapes)."""
    loaders = ['train_dataloader', 'val_dataloader', 'test_dataloader']
    options = [f'{loader}.dataset.data_root={root}' for loader in loaders]
    options += [f'{loader}.num_workers=0' for loader in loaders]
    options += [f'{loader}.persistent_workers=False' for loader in loaders]
    for evaluator in ('val_evaluator', 'test_evaluator'):
        if task == 'panoptic':
            options += [
                f'{evaluator}.0.ann_file={root}annotations/panoptic_val.json',
                f'{evaluator}.0.seg_prefix={root}annotations/panoptic_val/',
                f'{evaluator}.1.ann_file={root}annotations/instances_val.json']
        elif task == 'instance':
            options += [
                f'{evaluator}.ann_file={root}annotations/instances_val.json']
    return options
