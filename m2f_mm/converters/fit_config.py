"""What every converter does with its result: the classifier rows put in our
class order, and the weights checked against the config's model."""
from typing import Dict, Optional, Sequence

from mmengine.registry import init_default_scope
from torch import Tensor

from m2f_mm.registry import MODELS


def head_prefix_of(cfg) -> str:
    """Where the head's parameters live: ``'decode_head.head.'`` in mmseg's
    ``EncoderDecoder``, ``'head.'`` in ``M2FDetector``."""
    return ('decode_head.head.' if cfg.model.type.endswith('EncoderDecoder')
            else 'head.')


def reorder_classes(state: Dict[str, Tensor], head_prefix: str,
                    class_order: Optional[Sequence[int]]) -> None:
    """Put the classifier rows in our class order (in place); no-object
    stays last.

    Args:
        class_order: for each of our classes, its row in the source model;
            None keeps the order.
    """
    if class_order is None:
        return
    for name in ('weight', 'bias'):
        key = f'{head_prefix}class_head.{name}'
        rows = list(class_order) + [state[key].shape[0] - 1]  # no-object
        if len(rows) != state[key].shape[0]:
            raise ValueError(f'class_order has {len(class_order)} classes, '
                             f'the checkpoint {state[key].shape[0] - 1}')
        state[key] = state[key][rows]


def check_fits_config(cfg, state: Dict[str, Tensor]) -> None:
    """Load converted weights into the model ``cfg`` builds.

    Raises:
        ValueError: a parameter is missing or left over (the first ten
            named).
        RuntimeError: a shape differs.
    """
    init_default_scope(cfg.get('default_scope', 'm2f_mm'))
    model = MODELS.build(cfg.model)
    result = model.load_state_dict(state, strict=False)
    problems = list(result.missing_keys) + [
        f'unexpected {k}' for k in result.unexpected_keys]
    if problems:
        raise ValueError('the converted weights do not fit the config: ' +
                         ', '.join(problems[:10]) +
                         (' ...' if len(problems) > 10 else ''))
