"""Stop training at the first non-finite loss, naming it."""
import math

from mmengine.hooks import Hook

from m2f_mm.registry import HOOKS


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """After every training iteration, check each logged loss term (the
    message hub's values, which the runtime-info hook has already read back
    from the device: no extra sync) and stop at the first NaN or Inf,
    naming the iteration and the term. It runs before the checkpoint hook,
    so the weights that step ruined are never saved: the last checkpoint
    holds the last good weights."""

    priority = 'ABOVE_NORMAL'  # before CheckpointHook (VERY_LOW)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        hub = runner.message_hub
        values = {name: hub.get_scalar(f'train/{name}').current()
                  for name in (outputs or {}) if 'loss' in name}
        bad = {name: value for name, value in values.items()
               if not math.isfinite(value)}
        if bad:
            bad = {k: v for k, v in bad.items() if k != 'loss'} or bad  # terms
            last = hub.get_info('last_ckpt')
            kept = (f'the last checkpoint, {last}, holds the last good '
                    'weights' if last else 'no checkpoint was written yet')
            raise FloatingPointError(
                f'iteration {runner.iter + 1}: non-finite loss '
                + ', '.join(f'{k} = {v}' for k, v in bad.items())
                + f'; training stopped ({kept}). Lower the learning rate, '
                'check the data of this iteration, or resume from that '
                'checkpoint.')
