"""A two-parameter mmengine model for Runner tests that need no Mask2Former."""
from mmengine.model import BaseModel
from torch import nn


class TinyModel(BaseModel):
    """y = w.x + b; two loss terms: squared output, and zero times the
    output (NaN when the output is)."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(inputs)
        if mode == 'loss':
            return dict(loss_fit=out.pow(2).mean(), loss_other=out.mean() * 0)
        return out
