"""Checks shared by the a1_cells tests: run a student's cell over many cases and compare."""

import numpy as np

from grader.suites.a1_cells import reference as ref
from grader.grading.testing import assert_array, assert_close, assert_close_or_diagnose

TOLERANCE = {np.float64: dict(rtol=1e-7, atol=1e-9), np.float32: dict(rtol=1e-4, atol=1e-5)}


def likely_bugs(kind, case, nonlinearity="tanh"):
    """Outputs that the classic bugs of each cell would produce on ``case`` (hint -> h_next)."""

    def h_of(out):
        return out[0] if kind == "lstm" else out

    bugs = {
        "Your result matches a cell without the second bias: PyTorch adds both b_ih and b_hh.": h_of(
            ref.torch_step(kind, ref.with_changes(case, b_hh=0 * case["b_hh"]), nonlinearity)
        ),
    }
    if kind == "rnn":
        bugs["Your result matches h @ W_hh instead of h @ W_hh.T: W_hh has shape (G*H, H), so use W_hh.T."] = (
            ref.torch_step(kind, ref.with_changes(case, W_hh=case["W_hh"].T.copy()), nonlinearity)
        )
        if case["x"].shape[-1] == case["h"].shape[-1]:
            bugs["Your result matches x @ W_ih instead of x @ W_ih.T: W_ih has shape (G*H, D), so use W_ih.T."] = (
                ref.torch_step(kind, ref.with_changes(case, W_ih=case["W_ih"].T.copy()), nonlinearity)
            )
    if kind == "rnn":
        other = "relu" if nonlinearity == "tanh" else "tanh"
        bugs[f"Your result matches nonlinearity={other!r}: honour the nonlinearity argument."] = ref.torch_step(
            kind, case, other
        )
    if kind == "lstm":
        for order, name in [((0, 1, 3, 2), "i, f, o, g"), ((1, 0, 2, 3), "f, i, g, o"), ((0, 2, 1, 3), "i, g, f, o")]:
            bugs[f"Your gates look stacked as {name}; PyTorch's order is i, f, g, o."] = h_of(
                ref.torch_step(kind, ref.with_blocks(case, order))
            )
        bugs["h' must be o * tanh(c'), not o * c'."] = ref.lstm_without_tanh_on_cell(case)
    if kind == "gru":
        bugs["Your GRU applies the reset gate to h before W_hn; PyTorch computes r * (W_hn h + b_hn)."] = (
            ref.gru_variant(case, reset_before=True)
        )
        bugs["Your GRU swaps z and 1 - z: h' = (1 - z) * n + z * h."] = ref.gru_variant(case, swap_update=True)
        bugs["Your gates look stacked as z, r, n; PyTorch's order is r, z, n."] = ref.torch_step(
            kind, ref.with_blocks(case, (1, 0, 2))
        )
    return bugs


def check_cell(cell_function, kind, case, nonlinearity="tanh"):
    """Call the student's cell on ``case`` and compare every output with PyTorch's."""
    args = ref.arguments(kind, case)
    kwargs = {"nonlinearity": nonlinearity} if kind == "rnn" and nonlinearity != "tanh" else {}
    out = cell_function(*args, **kwargs)
    expected = ref.torch_step(kind, case, nonlinearity)
    dtype = case["x"].dtype.type
    N = "unbatched" if case["x"].ndim == 1 else f"N={case['x'].shape[0]}"
    shape_text = f"{N}, D={case['x'].shape[-1]}, H={case['h'].shape[-1]}, {case['x'].dtype}"
    name = f"{kind}_cell on a case with {shape_text}"
    if kind == "lstm":
        if type(out) not in (tuple, list) or len(out) != 2:
            raise AssertionError(f"{name}: expected a tuple (h_next, c_next), got {type(out).__name__}.")
        assert_array(out[1], shape=expected[1].shape, what=f"c_next of {name}")
        assert_close_or_diagnose(out[0], expected[0], **TOLERANCE[dtype], what=f"h_next of {name}",
                                 candidates=likely_bugs(kind, case))
        assert_close_or_diagnose(out[1], expected[1], **TOLERANCE[dtype], what=f"c_next of {name}",
                                 candidates={}, hint="c' = f * c + i * g with g = tanh(a_g): check the forget gate f multiplies c.")
    else:
        assert_close_or_diagnose(out, expected, **TOLERANCE[dtype], what=name,
                                 candidates=likely_bugs(kind, case, nonlinearity))


def linspace_case(kind):
    """The fixed case behind the hard-coded expected values: everything from np.linspace."""
    G = ref.GATES[kind]
    case = {
        "x": np.linspace(-1, 1, 6).reshape(2, 3),
        "h": np.linspace(-0.5, 0.5, 4).reshape(2, 2),
        "W_ih": np.linspace(-0.6, 0.6, G * 2 * 3).reshape(G * 2, 3),
        "W_hh": np.linspace(-0.4, 0.8, G * 2 * 2).reshape(G * 2, 2),
        "b_ih": np.linspace(-0.2, 0.2, G * 2),
        "b_hh": np.linspace(0.1, -0.3, G * 2),
    }
    if kind == "lstm":
        case["c"] = np.linspace(-1, 0.5, 4).reshape(2, 2)
    return case


def check_inputs_untouched(student, func, kind):
    """Call ``func`` on a float64 case: the result must be right and no argument may have changed.

    A function that does nothing (returns None) keeps its inputs untouched too, so the result is
    checked first: this test gives its point for a correct cell that leaves its inputs alone.
    """
    case = ref.random_case(kind, 3, 4, 5, np.float64, seed=99)
    args = ref.arguments(kind, case)
    record = student.inspect_call("cells", func, *args)
    expected = ref.torch_step(kind, case)
    name = f"{func} on an N=3, D=4, H=5 float64 case"
    if kind == "lstm":
        if type(record.value) not in (tuple, list) or len(record.value) != 2:
            raise AssertionError(f"{name}: expected a tuple (h_next, c_next), got {type(record.value).__name__}.")
        for label, got, want in zip(("h_next", "c_next"), record.value, expected):
            assert_close(got, want, **TOLERANCE[np.float64], what=f"{label} of {name}")
    else:
        assert_close(record.value, expected, **TOLERANCE[np.float64], what=name)
    names = (["x", "h", "c"] if kind == "lstm" else ["x", "h"]) + ["W_ih", "W_hh", "b_ih", "b_hh"]
    if len(record.args_after) != len(args):
        raise AssertionError(f"{func}: the grader could not read its arguments back after the call.")
    for name, before, after in zip(names, args, record.args_after):
        if type(after) is not np.ndarray or not np.array_equal(before, after):
            raise AssertionError(
                f"{func} modified its argument {name} in place. Never write into an input "
                "(no `+=` on an argument, no `out=`): compute new arrays instead."
            )
