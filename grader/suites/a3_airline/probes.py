"""Trusted probe code of the a3_airline suite: runs inside the worker, returns plain data.

Each probe imports the student's module inside its body, runs it on inputs the grader sent,
and returns raw results (outputs, parameters, predictions). The grader computes every expected
value and every RMSE itself. The grader also imports this file (for ``build_tiny_model``) so
that its own reference computations use the same small model.
"""

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class TinyModel(nn.Module):
    """A small known model for testing the loops: (N, T, 1) -> (N, 1), optional dropout.

    It records whether gradients were enabled and whether it was in training mode at its
    last forward call.
    """

    def __init__(self, window, dropout=0.0):
        super().__init__()
        self.hidden = nn.Linear(window, 4)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(4, 1)
        self.seen_grad_enabled = None
        self.seen_training = None

    def forward(self, x):
        self.seen_grad_enabled = torch.is_grad_enabled()
        self.seen_training = self.training
        return self.out(self.drop(torch.tanh(self.hidden(x.reshape(len(x), -1)))))


def build_tiny_model(weights, dropout=0.0):
    """A TinyModel with the given weights (list of 4 float32 arrays: W1 (4, T), b1, W2 (1, 4), b2)."""
    model = TinyModel(weights[0].shape[1], dropout)
    with torch.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(torch.as_tensor(np.asarray(w, dtype=np.float32)))
    return model


def parameters_of(model):
    """The model's parameters as a list of float32 numpy arrays."""
    return [p.detach().cpu().numpy().copy() for p in model.parameters()]


def loader(X, y, batch_size):
    """A DataLoader in fixed order over numpy arrays X (N, T, 1) and y (N, 1)."""
    data = TensorDataset(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32))
    return DataLoader(data, batch_size=batch_size, shuffle=False)


def to_plain(value):
    """Tensors to numpy arrays; other values unchanged (the boundary checks them)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return value


def probe_model(cell, hidden_size, num_layers, X, seed):
    """Build AirlineRNN(cell, hidden_size, num_layers), run it on X (N, T, 1); return its pieces."""
    import airline

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    model = airline.AirlineRNN(cell, hidden_size, num_layers)
    x = torch.as_tensor(X, dtype=torch.float32)
    model.eval()
    with torch.no_grad():
        out = to_plain(model(x))
        first_alone = to_plain(model(x[:1]))
    recurrent = [m for m in model.modules() if type(m) in (nn.RNN, nn.LSTM, nn.GRU)]
    linear = [m for m in model.modules() if type(m) is nn.Linear]
    result = {
        "out": out,
        "first_alone": first_alone,
        "recurrent": [type(m).__name__ for m in recurrent],
        "n_linear": len(linear),
        "is_module": isinstance(model, nn.Module),
    }
    if len(recurrent) == 1 and len(linear) == 1:
        rnn, head = recurrent[0], linear[0]
        result.update(
            batch_first=bool(rnn.batch_first), hidden_size=int(rnn.hidden_size),
            num_layers=int(rnn.num_layers), input_size=int(rnn.input_size),
            W=parameters_of(head)[0], b=parameters_of(head)[1],
        )
        with torch.no_grad():
            result["sequence"] = to_plain(rnn(x)[0])
    return result


def probe_dataset(series, window):
    """Build PassengerDataset(series, window); return its length, items and one batch."""
    import airline

    data = airline.PassengerDataset(series, window)
    items = [data[0], data[len(data) - 1]]
    batch = next(iter(DataLoader(data, batch_size=3, shuffle=False)))
    return {
        "is_dataset": isinstance(data, torch.utils.data.Dataset),
        "length": len(data),
        "item_types": [type(part).__name__ for item in items for part in item],
        "items": [[to_plain(part) for part in item] for item in items],
        "batch": [to_plain(part) for part in batch],
    }


def probe_train_loop(weights, X, y, batch_size, lr):
    """One student train_loop pass with plain SGD on a TinyModel (started in eval mode)."""
    import airline

    torch.set_num_threads(1)
    model = build_tiny_model(weights)
    model.eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss = airline.train_loop(loader(X, y, batch_size), model, nn.MSELoss(), optimizer, device="cpu")
    return {"loss": to_plain(loss), "parameters": parameters_of(model), "training": model.training}


def probe_test_loop(weights, X, y, batch_size):
    """Student test_loop on a TinyModel with dropout, started in training mode."""
    import airline

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = build_tiny_model(weights, dropout=0.5)
    model.train()
    loss = airline.test_loop(loader(X, y, batch_size), model, nn.MSELoss(), device="cpu")
    return {
        "loss": to_plain(loss),
        "parameters": parameters_of(model),
        "grads_none": all(p.grad is None for p in model.parameters()),
        "grad_enabled_in_forward": model.seen_grad_enabled,
    }


def probe_fit(weights, X, y, X_val, y_val, batch_size, epochs, lr):
    """Student fit on a TinyModel; return the history and the final parameters."""
    import airline

    torch.set_num_threads(1)
    model = build_tiny_model(weights)
    history = airline.fit(model, loader(X, y, batch_size), loader(X_val, y_val, batch_size), epochs, lr)
    if isinstance(history, dict):
        history = {key: [to_plain(v) for v in value] if isinstance(value, list) else to_plain(value)
                   for key, value in history.items()}
    return {"history": history, "parameters": parameters_of(model)}


def probe_predict(weights, X):
    """Student predict on a TinyModel with dropout, started in training mode."""
    import airline

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = build_tiny_model(weights, dropout=0.5)
    model.train()
    out = airline.predict(model, X)
    return {
        "type": type(out).__module__ + "." + type(out).__name__,
        "out": to_plain(out),
        "grad_enabled_in_forward": model.seen_grad_enabled,
        "training_in_forward": model.seen_training,
    }


def probe_forecasts(cases, seed):
    """Student forecast(series, n_test, seed) for each (series, n_test) in cases."""
    import airline

    torch.set_num_threads(1)
    return [to_plain(airline.forecast(series, n_test, seed=seed)) for series, n_test in cases]


def probe_scaler(train, other):
    """MinMaxScaler fitted on train; return the fitted range and transforms of train and other."""
    import airline

    scaler = airline.MinMaxScaler()
    fitted = scaler.fit(train)
    scaled_other = scaler.transform(other)
    return {
        "fit_returns_self": fitted is scaler,
        "data_min_": to_plain(getattr(scaler, "data_min_", None)),
        "data_max_": to_plain(getattr(scaler, "data_max_", None)),
        "train": to_plain(scaler.transform(train)),
        "other": to_plain(scaled_other),
        "round_trip": to_plain(scaler.inverse_transform(scaled_other)),
    }


def probe_unknown_cell(cell):
    """The name of the exception AirlineRNN(cell) raises, or None when it raises none."""
    import airline

    try:
        airline.AirlineRNN(cell)
    except Exception as exc:  # noqa: BLE001 - any exception is reported by name
        return type(exc).__name__
    return None
