"""What the converter tools (tools/model_converters/*2m2f.py) do around
their conversion: write the result, or report a source that cannot be
converted, naming the file."""
import sys
from typing import Callable, Dict, Tuple

import torch
from torch import Tensor

from m2f_mm.utils import UnsafeCheckpointError
from .official_checkpoint import UnsafePickleError

#: what a bad source raises while it is read, converted and fitted to the
#: config (a missing or unreadable file, keys no rule converts, shapes the
#: config's model refuses)
CONVERSION_ERRORS = (FileNotFoundError, KeyError, ValueError, RuntimeError,
                     OSError)


def run_conversion(src: str, dst: str,
                   convert: Callable[[], Tuple[Dict[str, Tensor], dict]]
                   ) -> int:
    """``convert()`` gives the converted state dict and the meta to keep
    with it; they are written to ``dst`` as ``{'state_dict', 'meta'}``.
    Returns the tool's exit status: 1, with the reason on stderr, when
    ``src`` cannot be converted (an unsafe file's error names it already;
    the others are prefixed with ``src``)."""
    try:
        converted, meta = convert()
    except (UnsafeCheckpointError, UnsafePickleError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    except CONVERSION_ERRORS as err:
        print(f'error: {src}: {err}', file=sys.stderr)
        return 1
    torch.save({'state_dict': converted, 'meta': meta}, dst)
    reordered = meta.get('class_order') is not None
    print(f'wrote {len(converted)} tensors to {dst}'
          + (' (classes reordered by name)' if reordered else ''))
    return 0
