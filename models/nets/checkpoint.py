"""Loading upstream checkpoint files strictly, with reasons instead of torch's tracebacks."""
import torch


def torch_load(path):
    """torch.load on CPU (upstream files carry cuda:0 storages); ValueError with the reason for non-checkpoints."""
    try:
        return torch.load(path, map_location="cpu")
    except Exception as err:  # noqa: BLE001 - torch raises many kinds for a non-checkpoint file
        raise ValueError(f"{path}: not a torch checkpoint ({err})") from err


def load_strict(model, state, what):
    """Load `state` into `model` only if keys and shapes match exactly; else ValueError naming the differences."""
    expected = model.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    wrong = [f"{k} {tuple(state[k].shape)} != {tuple(v.shape)}" for k, v in expected.items()
             if k in state and tuple(state[k].shape) != tuple(v.shape)]
    if missing or unexpected or wrong:
        raise ValueError(f"{what}: missing {missing[:5]}, unexpected {unexpected[:5]}, wrong shapes {wrong[:5]}")
    model.load_state_dict(state)
    return model.eval()
