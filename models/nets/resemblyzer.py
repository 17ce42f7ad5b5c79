"""Resemblyzer's VoiceEncoder (GE2E d-vector): LSTM(40, 256, 3) -> Linear(256, 256) -> ReLU -> L2, per partial.

Loads the upstream checkpoint format: a Real-Time-Voice-Cloning training checkpoint saved with torch's legacy
(pre-1.6) serialisation and cuda:0 storages, {"step", "model_state", "optimizer_state"}, whose model_state carries
two GE2E loss scalars (similarity_weight / similarity_bias) that inference ignores.
"""
import torch
from torch import nn

from .checkpoint import load_strict, torch_load

MEL_BANDS = 40
HIDDEN = 256
EMBEDDING = 256
IGNORED_KEYS = {"similarity_weight", "similarity_bias"}


class VoiceEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(MEL_BANDS, HIDDEN, num_layers=3, batch_first=True)
        self.linear = nn.Linear(HIDDEN, EMBEDDING)
        self.relu = nn.ReLU()

    def forward(self, mels):
        """mels [batch, frames, 40] (partials) -> L2-normalised partial embeddings [batch, 256]."""
        _, (hidden, _) = self.lstm(mels)
        raw = self.relu(self.linear(hidden[-1]))
        return raw / torch.norm(raw, dim=1, keepdim=True)


def load_state(path):
    """The model_state of an upstream pretrained.pt, minus the GE2E scalars. Raises ValueError with the reason."""
    ckpt = torch_load(path)
    if not isinstance(ckpt, dict) or "model_state" not in ckpt:
        raise ValueError(f"{path}: not a Resemblyzer checkpoint (expected a dict with 'model_state')")
    return {k: v for k, v in ckpt["model_state"].items() if k not in IGNORED_KEYS}


def load(path):
    return load_strict(VoiceEncoder(), load_state(path), f"{path}: not a Resemblyzer VoiceEncoder state")
