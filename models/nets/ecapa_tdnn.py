"""SpeechBrain-compatible ECAPA-TDNN (speechbrain.lobes.models.ECAPA_TDNN, v1.1.0 semantics), written from its
description so that SpeechBrain's state_dict keys load unchanged.

Details that matter for parity: every Conv1d pads "same" by *reflection* (dilation * (k - 1) / 2 per side);
TDNNBlock = conv -> ReLU -> BatchNorm (BN after the ReLU); SE and attention means use all frames (wav_lens = 1),
computed as sum / T like SpeechBrain's masked means; std = sqrt(clamp(var, 1e-12)).
Input [batch, time, n_mels] (sentence-mean-normalised fbank); output [batch, 1, lin_neurons], not normalised.
"""
import re

import torch
import torch.nn.functional as F
from torch import nn

from .checkpoint import load_strict, torch_load

EPS = 1e-12


class Conv1d(nn.Module):
    """SpeechBrain Conv1d(padding="same", padding_mode="reflect"); parameters live in .conv (key "x.conv.weight")."""

    def __init__(self, in_channels, out_channels, kernel_size, dilation=1):
        super().__init__()
        self.pad = dilation * (kernel_size - 1) // 2
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, dilation=dilation)

    def forward(self, x):
        if self.pad:
            x = F.pad(x, (self.pad, self.pad), mode="reflect")
        return self.conv(x)


class BatchNorm1d(nn.Module):
    """SpeechBrain's wrapper: parameters live in .norm (key "x.norm.weight")."""

    def __init__(self, channels):
        super().__init__()
        self.norm = nn.BatchNorm1d(channels, eps=1e-5)

    def forward(self, x):
        return self.norm(x)


class TDNNBlock(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, dilation):
        super().__init__()
        self.conv = Conv1d(in_channels, out_channels, kernel_size, dilation)
        self.activation = nn.ReLU()
        self.norm = BatchNorm1d(out_channels)

    def forward(self, x):
        return self.norm(self.activation(self.conv(x)))


class Res2NetBlock(nn.Module):
    def __init__(self, channels, kernel_size, dilation, scale):
        super().__init__()
        self.scale = scale
        width = channels // scale
        self.blocks = nn.ModuleList([TDNNBlock(width, width, kernel_size, dilation) for _ in range(scale - 1)])

    def forward(self, x):
        ys = []
        y = None
        for i, x_i in enumerate(torch.chunk(x, self.scale, dim=1)):
            if i == 0:
                y = x_i
            elif i == 1:
                y = self.blocks[0](x_i)
            else:
                y = self.blocks[i - 1](x_i + y)
            ys.append(y)
        return torch.cat(ys, dim=1)


class SEBlock(nn.Module):
    def __init__(self, channels, se_channels):
        super().__init__()
        self.conv1 = Conv1d(channels, se_channels, 1)
        self.relu = nn.ReLU()
        self.conv2 = Conv1d(se_channels, channels, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        s = x.sum(dim=2, keepdim=True) / x.shape[2]
        s = self.sigmoid(self.conv2(self.relu(self.conv1(s))))
        return s * x


class SERes2NetBlock(nn.Module):
    def __init__(self, in_channels, out_channels, scale, se_channels, kernel_size, dilation):
        super().__init__()
        self.tdnn1 = TDNNBlock(in_channels, out_channels, 1, 1)
        self.res2net_block = Res2NetBlock(out_channels, kernel_size, dilation, scale)
        self.tdnn2 = TDNNBlock(out_channels, out_channels, 1, 1)
        self.se_block = SEBlock(out_channels, se_channels)
        self.shortcut = Conv1d(in_channels, out_channels, 1) if in_channels != out_channels else None

    def forward(self, x):
        residual = self.shortcut(x) if self.shortcut is not None else x
        x = self.se_block(self.tdnn2(self.res2net_block(self.tdnn1(x))))
        return x + residual


def _weighted_stats(x, w):
    mean = (w * x).sum(dim=2)
    std = torch.sqrt((w * (x - mean.unsqueeze(2)).pow(2)).sum(dim=2).clamp(EPS))
    return mean, std


class AttentiveStatisticsPooling(nn.Module):
    def __init__(self, channels, attention_channels, global_context=True):
        super().__init__()
        self.global_context = global_context
        in_ch = channels * 3 if global_context else channels
        self.tdnn = TDNNBlock(in_ch, attention_channels, 1, 1)
        self.tanh = nn.Tanh()
        self.conv = Conv1d(attention_channels, channels, 1)

    def forward(self, x):
        frames = x.shape[2]
        if self.global_context:
            uniform = torch.ones_like(x[:, :1, :]) / frames  # SpeechBrain's mask / total with wav_lens = 1
            mean, std = _weighted_stats(x, uniform)
            attn = torch.cat([x, mean.unsqueeze(2).expand(-1, -1, frames), std.unsqueeze(2).expand(-1, -1, frames)], 1)
        else:
            attn = x
        attn = F.softmax(self.conv(self.tanh(self.tdnn(attn))), dim=2)
        mean, std = _weighted_stats(x, attn)
        return torch.cat((mean, std), dim=1).unsqueeze(2)


class ECAPA_TDNN(nn.Module):  # noqa: N801 - SpeechBrain's name
    def __init__(self, input_size=80, channels=(512, 512, 512, 512, 1536), kernel_sizes=(5, 3, 3, 3, 1),
                 dilations=(1, 2, 3, 4, 1), attention_channels=128, res2net_scale=8, se_channels=128,
                 global_context=True, lin_neurons=192):
        super().__init__()
        self.blocks = nn.ModuleList([TDNNBlock(input_size, channels[0], kernel_sizes[0], dilations[0])])
        for i in range(1, len(channels) - 1):
            self.blocks.append(SERes2NetBlock(channels[i - 1], channels[i], res2net_scale, se_channels,
                                              kernel_sizes[i], dilations[i]))
        self.mfa = TDNNBlock(channels[-2] * (len(channels) - 2), channels[-1], kernel_sizes[-1], dilations[-1])
        self.asp = AttentiveStatisticsPooling(channels[-1], attention_channels, global_context)
        self.asp_bn = BatchNorm1d(channels[-1] * 2)
        self.fc = Conv1d(channels[-1] * 2, lin_neurons, 1)

    def forward(self, feats):
        x = feats.transpose(1, 2)
        outs = []
        for block in self.blocks:
            x = block(x)
            outs.append(x)
        x = self.mfa(torch.cat(outs[1:], dim=1))
        x = self.fc(self.asp_bn(self.asp(x)))
        return x.transpose(1, 2)


def config_from_hparams(text):
    """The embedding_model arguments of a SpeechBrain hyperparams.yaml (spkrec-ecapa-voxceleb layout)."""
    block = re.search(r"embedding_model:.*?\n((?:[ \t]+.*\n?)+)", text)
    if not block:
        raise ValueError("hyperparams.yaml: no embedding_model section")
    cfg = {}
    for line in block.group(1).splitlines():
        m = re.match(r"\s+(\w+):\s*(.+?)\s*(#.*)?$", line)
        if not m:
            continue
        key, value = m.group(1), m.group(2)
        if value.startswith("!ref"):
            ref = re.search(r"<(\w+)>", value).group(1)
            value = re.search(rf"^{ref}:\s*(\S+)", text, re.M).group(1)
        if value.startswith("["):
            cfg[key] = [int(v) for v in value.strip("[]").split(",")]
        elif re.fullmatch(r"-?\d+", value):
            cfg[key] = int(value)
        elif value in ("True", "False"):
            cfg[key] = value == "True"
    allowed = {"input_size", "channels", "kernel_sizes", "dilations", "attention_channels", "res2net_scale",
               "se_channels", "global_context", "lin_neurons"}
    return {k: v for k, v in cfg.items() if k in allowed}


def load(weights, hparams_text):
    cfg = config_from_hparams(hparams_text)
    model = load_strict(ECAPA_TDNN(**cfg), torch_load(weights),
                        f"{weights}: does not match the ECAPA-TDNN of the hyperparams ({cfg})")
    return model, cfg
