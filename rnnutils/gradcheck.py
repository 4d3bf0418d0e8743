"""Numeric gradient checking with centred finite differences in float64.

Introduced in lecture 03, section 1 (checking a gradient numerically), where autograd's gradient
of an unrolled tanh RNN is compared with centred differences and a truncated gradient fails the
check. Assignment a2_bptt uses it to check the analytic backward passes students write.

The function under test is always called with explicit keyword arguments, on fresh float64
copies; the caller's arrays are never modified.

Example::

    def loss(x, W):
        return np.sum(np.tanh(x @ W.T) * upstream)

    args = {"x": x, "W": W}
    num_dW = numeric_gradient(loss, args, wrt="W")
    print(relative_error(analytic_dW, num_dW))   # about 1e-9 or less when dW is right
"""

import numpy as np

__all__ = ["numeric_gradient", "relative_error", "check_gradients"]


def _as_float64(args):
    """Copy every array-like argument to a float64 array; leave other values as they are.

    Inputs:
    - args: dict name -> value.

    Returns:
    - a new dict with the same keys.
    """
    out = {}
    for name, value in args.items():
        if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
            out[name] = np.array(value, dtype=np.float64)
        elif isinstance(value, (float, np.floating)):
            out[name] = np.float64(value)
        else:
            out[name] = value
    return out


def _scalar(f, args, upstream):
    """Evaluate f(**args) as a float: the value itself, or sum(value * upstream).

    Inputs:
    - f: callable returning a float, or an array when upstream is given.
    - args: dict of keyword arguments for f.
    - upstream: None, or an array of the shape of f's output.

    Returns:
    - float.
    """
    value = f(**args)
    if isinstance(value, tuple):  # e.g. (hs, cache): the first element is the output
        value = value[0]
    value = np.asarray(value, dtype=np.float64)
    if upstream is None:
        if value.size != 1:
            raise ValueError(f"f returned an array of shape {value.shape}; pass `upstream` "
                             "(the gradient of the loss with respect to that array)")
        return value.item()
    return float(np.sum(value * np.asarray(upstream, dtype=np.float64)))


def numeric_gradient(f, args, wrt, upstream=None, eps=1e-6):
    """Centred-difference gradient of a scalar loss with respect to one argument of f.

    Introduced in lecture 03, section 1 (checking a gradient numerically).

    The loss is f(**args) if f returns a number, or sum(f(**args) * upstream) if f returns an
    array (or a tuple whose first element is the array, like rnn_forward's (hs, cache)).
    Each entry costs two calls of f: (L(w + eps) - L(w - eps)) / (2 eps), in float64.

    Inputs:
    - f: callable taking the keyword arguments in args.
    - args: dict name -> value; float arrays are copied to float64 before every call.
    - wrt: str, the name of the argument to differentiate with respect to.
    - upstream: None, or the gradient of the loss with respect to f's output, shape of output.
    - eps: float, the step.

    Returns:
    - grad: float64 array of the shape of args[wrt].
    """
    base = _as_float64(args)
    if not isinstance(base[wrt], np.ndarray):
        base[wrt] = np.array(base[wrt], dtype=np.float64)
    w = base[wrt]
    grad = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        step = np.zeros_like(w)
        step[idx] = eps
        plus = _scalar(f, {**base, wrt: w + step}, upstream)
        minus = _scalar(f, {**base, wrt: w - step}, upstream)
        grad[idx] = (plus - minus) / (2.0 * eps)
    return grad


def relative_error(a, b, floor=1e-12):
    """Largest entrywise error of a against b, relative to the size of the entries.

    Introduced in lecture 03, section 1 (checking a gradient numerically).

    max |a - b| / max(|a| + |b|, floor), over all entries; 0 for two empty arrays.

    Inputs:
    - a, b: arrays of the same shape.
    - floor: float, keeps entries that are both zero from dividing by zero.

    Returns:
    - float. Below about 1e-7 in float64 means "the same gradient".
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)))


def check_gradients(f, args, analytic, upstream=None, eps=1e-6, rtol=1e-5, atol=1e-8):
    """Compare analytic gradients with centred differences; raise if any is off.

    Introduced in lecture 03, section 1 (checking a gradient numerically), where a gradient
    truncated to the last time step fails it.

    Inputs:
    - f, args, upstream, eps: as for numeric_gradient.
    - analytic: dict name -> analytic gradient, one entry per argument to check.
    - rtol, atol: an entry passes when |analytic - numeric| <= atol + rtol * |numeric|.

    Returns:
    - errors: dict name -> relative_error(analytic, numeric), for printing.

    Raises:
    - AssertionError naming every argument whose gradient is off, with its largest error.
    """
    errors, bad = {}, []
    for name, grad in analytic.items():
        numeric = numeric_gradient(f, args, name, upstream=upstream, eps=eps)
        grad = np.asarray(grad, dtype=np.float64)
        if grad.shape != numeric.shape:
            bad.append(f"{name}: shape {grad.shape}, expected {numeric.shape}")
            continue
        errors[name] = relative_error(grad, numeric)
        if not np.allclose(grad, numeric, rtol=rtol, atol=atol):
            worst = float(np.max(np.abs(grad - numeric)))
            bad.append(f"{name}: largest difference {worst:.3g} (relative error {errors[name]:.3g})")
    if bad:
        raise AssertionError("analytic and numeric gradients differ for " + "; ".join(bad))
    return errors
