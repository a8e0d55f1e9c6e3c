"""mmengine's CheckpointHook with writes that cannot lose work."""
import os
import os.path as osp

import torch
from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook

from m2f_mm.registry import HOOKS


def random_states() -> dict:
    """The model side's random-number states (torch, and CUDA's), as tensors
    (checkpoints load with ``weights_only``)."""
    states = dict(torch=torch.get_rng_state())
    if torch.cuda.is_available():
        states['cuda'] = torch.cuda.get_rng_state_all()
    return states


def set_random_states(states: dict) -> None:
    """Restore what :func:`random_states` saved."""
    torch.set_rng_state(states['torch'])
    if 'cuda' in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states['cuda'])


def _replace_text(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a whole old or a whole new
    file, whatever happens)."""
    tmp = f'{path}.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@HOOKS.register_module()
class M2FCheckpointHook(CheckpointHook):
    """``CheckpointHook`` (same arguments) whose checkpoint writes cannot
    lose work, whenever the process dies:

    * a checkpoint is written to ``<name>.tmp`` and renamed into place, so a
      file under a checkpoint's name is always complete;
    * ``last_checkpoint`` is replaced atomically, after the checkpoint it
      names is complete;
    * checkpoints beyond ``max_keep_ckpts`` are deleted only after that, so
      the previous checkpoint exists until the new one can replace it
      (mmengine deletes it before writing the new one);
    * exact resume: a checkpoint holds the torch (and CUDA) random state of
      the moment it is written (the model's draws: point sampling), and a
      resumed run restores it before its first iteration. The data side
      needs nothing saved: mmengine's loop replays the data loader up to the
      checkpoint, redoing the same sampler order and augmentation draws
      (numpy/Python, or the workers' seeded states), and this hook gives the
      loader its own generator so that starting an epoch draws nothing from
      torch's global state. With ``randomness.deterministic`` a resumed run
      continues the same loss curve, bit for bit on CPU. The state saved is
      the main process's (rank 0's on several GPUs).
    """

    _pending_states = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        super().before_save_checkpoint(runner, checkpoint)
        checkpoint.setdefault('meta', {})['random_states'] = random_states()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        super().after_load_checkpoint(runner, checkpoint)
        self._pending_states = checkpoint.get('meta', {}).get('random_states')

    def before_train(self, runner) -> None:
        super().before_train(runner)
        loader = runner.train_loop.dataloader
        if loader.generator is None:  # epoch starts: not the global state
            loader.generator = torch.Generator().manual_seed(runner.seed)

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        super().before_train_iter(runner, batch_idx, data_batch)
        if self._pending_states is not None:  # first iteration after resume
            set_random_states(self._pending_states)
            self._pending_states = None

    def _save_checkpoint_with_step(self, runner, step, meta):
        stale = []
        if self.max_keep_ckpts > 0 and not (
                self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            self.keep_ckpt_ids.append(step)
            while len(self.keep_ckpt_ids) > self.max_keep_ckpts:
                stale.append(self.keep_ckpt_ids.popleft())
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        local = isinstance(self.file_backend, LocalBackend)
        runner.save_checkpoint(
            self.out_dir, f'{filename}.tmp' if local else filename,
            self.file_client_args, save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler, meta=meta,
            by_epoch=self.by_epoch, backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        if local:
            os.replace(f'{self.last_ckpt}.tmp', self.last_ckpt)
        _replace_text(osp.join(runner.work_dir, 'last_checkpoint'),
                      self.last_ckpt)
        for old in stale:
            path = self.file_backend.join_path(
                self.out_dir, self.filename_tmpl.format(old))
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
