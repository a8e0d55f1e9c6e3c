"""Safe checkpoints for mmengine 0.10.7 under torch >= 2.6.

torch >= 2.6 loads with ``weights_only=True`` by default, and a plain mmengine
Runner checkpoint does not load that way: its message hub holds
``HistoryBuffer`` objects whose numpy arrays pickle through numpy reconstructors
and ``builtins.getattr``. Allow-listing ``getattr`` would let a checkpoint call
any attribute of any allowed object, i.e. run code, so we do not. Instead:

* a ``HistoryBuffer`` pickles as ``HistoryBuffer(list, list, int)``: plain
  Python floats/ints, so only the class itself is allow-listed;
* numpy values elsewhere in the message hub's runtime info are turned into
  Python values when the Runner collects them (see ``_plain``);
* mmengine's local-file checkpoint loader is replaced by one that keeps
  ``weights_only=True`` and, when a file holds anything else, raises
  :class:`UnsafeCheckpointError` naming the file and the refused global.

Nothing switches safety off globally: no ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``,
no ``weights_only=False``.
"""
import os.path as osp
import pickle

import numpy as np
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import CheckpointLoader


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds objects that ``weights_only`` loading refuses."""


def _history_buffer_reduce(self):
    """Pickle a HistoryBuffer as its constructor call on plain lists."""
    return (HistoryBuffer, (self._log_history.tolist(),
                            self._count_history.tolist(), self.max_length))


def _plain(value):
    """Turn numpy scalars and arrays (nested in dicts/lists) into Python values."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


_message_hub_state_dict = MessageHub.state_dict


def _message_hub_plain_state_dict(self):
    """MessageHub.state_dict with numpy runtime values made plain."""
    state = _message_hub_state_dict(self)
    state['runtime_info'] = _plain(state['runtime_info'])
    return state


def load_local_checkpoint(filename, map_location=None):
    """Load a local checkpoint with ``weights_only=True``.

    Raises:
        FileNotFoundError: the file does not exist.
        UnsafeCheckpointError: the file pickles a global that is not on
            torch's allow-list (e.g. an arbitrary callable).
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        unsafe = torch.serialization.get_unsafe_globals_in_checkpoint(filename)
        raise UnsafeCheckpointError(
            f'{filename}: refused to load, it pickles objects that are not '
            f'plain tensors/containers: {unsafe or str(err).splitlines()[0]}. '
            'Loading it could run arbitrary code. If you trust the file, '
            'convert it once with torch.load(..., weights_only=False) and save '
            'only its state dicts.') from None


_installed = False


def install_safe_checkpoints():
    """Make mmengine checkpoints save and load with weights_only semantics.

    Idempotent; called when ``m2f_mm`` is imported.
    """
    global _installed
    if _installed:
        return
    HistoryBuffer.__reduce__ = _history_buffer_reduce
    MessageHub.state_dict = _message_hub_plain_state_dict
    torch.serialization.add_safe_globals([HistoryBuffer])
    CheckpointLoader.register_scheme(prefixes='', force=True)(
        load_local_checkpoint)
    _installed = True
