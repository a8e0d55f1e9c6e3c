"""mmengine's CheckpointHook with writes that cannot lose work."""
import os
import os.path as osp

import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size, \
    is_main_process
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
      training and validation loaders their own generators so that starting
      an epoch or a validation draws nothing from torch's global state.
      With ``randomness.deterministic`` a resumed run continues the same
      loss curve, bit for bit on CPU. Every process's
      state is saved (a list in rank order) and each rank restores its own.
    * resume on another number of processes (or batch per process): the
      log says what changes (the batch per optimizer step, the data order,
      the learning rate); with ``--auto-scale-lr`` the resumed optimizer's
      and schedulers' learning rates are scaled by the new batch over the
      saved one (mmengine would restore the saved ones).
    """

    _pending_states = None
    _rank_states = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        super().before_save_checkpoint(runner, checkpoint)
        meta = checkpoint.setdefault('meta', {})
        meta['random_states'] = self._rank_states or [random_states()]
        meta['world_size'] = get_world_size()
        meta['batch_per_process'] = _batch_per_process(runner)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        super().after_load_checkpoint(runner, checkpoint)
        meta = checkpoint.get('meta', {})
        states = meta.get('random_states')
        if isinstance(states, dict):  # saved by a release before the list
            states = [states]
        rank, world = get_rank(), get_world_size()
        saved_world = meta.get('world_size', len(states or [None]))
        if states and len(states) == world:
            self._pending_states = states[rank]
        if not runner._resume or 'iter' not in meta:  # load_from: weights only
            return
        batch = _batch_per_process(runner)
        saved_batch = meta.get('batch_per_process') or batch
        if saved_world == world and saved_batch == batch:
            return
        scale_lr = bool((runner.auto_scale_lr or {}).get('enable', False))
        if scale_lr:
            scale_learning_rates(checkpoint, world * batch /
                                 (saved_world * saved_batch))
        runner.logger.warning(resume_changes(saved_world, saved_batch, world,
                                             batch, scale_lr, meta['iter']))

    def _save_checkpoint_with_step(self, runner, step, meta):
        # every rank's random state, gathered on every rank (the file is
        # written by rank 0 in before_save_checkpoint)
        self._rank_states = all_gather_object(random_states())
        try:
            self._write(runner, step, meta)
        finally:
            self._rank_states = None

    def before_train(self, runner) -> None:
        super().before_train(runner)
        # starting an epoch (or a validation) draws the loader's seed from
        # its generator: with none, from torch's global state, which a
        # validation between a checkpoint and the next iteration would then
        # advance in the run but not in a run resumed from that checkpoint
        loaders = [runner.train_loop.dataloader]
        if runner.val_loop is not None:
            loaders.append(runner.val_loop.dataloader)
        for loader in loaders:
            if loader.generator is None:
                loader.generator = torch.Generator().manual_seed(runner.seed)

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        super().before_train_iter(runner, batch_idx, data_batch)
        if self._pending_states is not None:  # first iteration after resume
            set_random_states(self._pending_states)
            self._pending_states = None

    def _write(self, runner, step, meta):
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


def _batch_per_process(runner):
    loader = runner.cfg.get('train_dataloader') or {}
    return loader.get('batch_size')


def resume_changes(saved_world: int, saved_batch, world: int, batch,
                   scale_lr: bool, step: int) -> str:
    """What a resume on another number of processes or batch changes, as a
    log message (``scale_lr``: the learning rates are scaled by
    :func:`scale_learning_rates`)."""
    old, new = saved_world * saved_batch, world * batch
    lines = [
        f'resuming at iteration {step} a run saved with {saved_world} '
        f'process(es) x {saved_batch} images, now {world} x {batch}:',
        f'- the batch per optimizer step changes from {old} to {new} images;',
        '- the data order differs from the saved run\'s from here on (the '
        'sampler shards the data by process, and the loader replays '
        f'{step} steps of the new sharding);',
    ]
    if saved_world != world:
        lines.append('- random states: every rank starts from its seeded '
                     'state (the saved ones belong to the old ranks);')
    if scale_lr:
        lines.append(f'- learning rates scaled by {new}/{old} = '
                     f'{new / old:g} (--auto-scale-lr).')
    else:
        lines.append('- the learning rate continues as saved (pass '
                     '--auto-scale-lr to scale it by the new batch).')
    return '\n'.join(lines)


def scale_learning_rates(checkpoint: dict, ratio: float) -> None:
    """Scale, in place, the learning rates a checkpoint's optimizer and
    parameter schedulers resume from."""
    for group in checkpoint.get('optimizer', {}).get('param_groups', []):
        for key in ('lr', 'initial_lr'):
            if key in group:
                group[key] *= ratio
    schedulers = checkpoint.get('param_schedulers', [])
    if isinstance(schedulers, dict):
        schedulers = [s for group in schedulers.values() for s in group]
    for state in schedulers:
        if state.get('param_name') == 'lr':
            for key in ('base_values', '_last_value'):
                if key in state:
                    state[key] = [v * ratio for v in state[key]]
