"""The class a dataset config names, looked up as the Runner builds it."""
from m2f_mm.registry import DATASETS


def dataset_class(dataset_cfg) -> type:
    """The registered class of ``dataset_cfg['type']``: a bare name is looked
    up in the config's ``_scope_`` (ours set mmdet's or mmseg's, so that
    their inferencers find the transforms by bare names), a prefixed one
    where it says.

    Raises:
        KeyError: nothing is registered under the name.
    """
    name = dataset_cfg['type']
    if not isinstance(name, str):
        return name
    scope = dataset_cfg.get('_scope_')
    if scope and '.' not in name:
        name = f'{scope}.{name}'
    cls = DATASETS.get(name)
    if cls is None:
        raise KeyError(f'{name}: unknown dataset type')
    return cls


def train_dataset_classes(cfg) -> tuple:
    """The class names of a config's training dataset, in label order (its
    ``metainfo``, else its class's ``METAINFO``)."""
    dataset = cfg.train_dataloader.dataset
    while 'dataset' in dataset:  # wrappers
        dataset = dataset.dataset
    given = (dataset.get('metainfo') or {}).get('classes')
    if given:
        return tuple(given)
    return tuple(dataset_class(dataset).METAINFO['classes'])
