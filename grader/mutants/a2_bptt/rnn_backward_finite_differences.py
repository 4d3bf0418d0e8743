"""rnn_backward computes its gradients by centred finite differences of rnn_forward instead of backpropagation."""
TARGET = "bptt.py"
REPLACE = [
    ('cache = {"x": x, "h0": h0, "W_ih": W_ih, "W_hh": W_hh, "a": a, "hs": hs,',
     'cache = {"x": x, "h0": h0, "W_ih": W_ih, "W_hh": W_hh, "a": a, "hs": hs, "b_ih": b_ih, "b_hh": b_hh,'),
    ('''    x, h0, W_ih, W_hh = cache["x"], cache["h0"], cache["W_ih"], cache["W_hh"]
    a, hs = cache["a"], cache["hs"]''',
     '''    args = {name: np.array(cache[name], dtype=np.float64) for name in ("x", "h0", "W_ih", "W_hh", "b_ih", "b_hh")}
    grads = {}
    for name, value in args.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            saved = value[index]
            value[index] = saved + 1e-6
            plus = np.sum(rnn_forward(nonlinearity=cache["nonlinearity"], **args)[0] * dhs)
            value[index] = saved - 1e-6
            minus = np.sum(rnn_forward(nonlinearity=cache["nonlinearity"], **args)[0] * dhs)
            value[index] = saved
            grad[index] = (plus - minus) / 2e-6
        grads[name] = grad.astype(cache["hs"].dtype)
    return grads
    x, h0, W_ih, W_hh = cache["x"], cache["h0"], cache["W_ih"], cache["W_hh"]
    a, hs = cache["a"], cache["hs"]'''),
]
HINT = ("Your rnn_backward agrees with autograd to about 1e-8 but not to rounding (1e-10): that is what finite "
        "differences give. rnn_backward must be the analytic backward pass (walk back through time with the chain "
        "rule), not a numerical gradient: a numerical gradient costs two forward passes per weight and is never "
        "exact.")
