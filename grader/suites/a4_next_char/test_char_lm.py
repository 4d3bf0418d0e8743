"""Hidden tests of CharLM, bits_per_char and the state handling of train_char_lm."""

import math

import numpy as np
import pytest
import torch

from grader.grading.testing import (Diagnosis, assert_array, assert_close, case, expect_raises, fail, hint_of, once,
                                    seed_torch)
from grader.sandbox import HANDLE, VALUE, StudentCodeError, Tensor
from grader.suites.a4_next_char.checks import ASSIGNMENT, losses
from grader.suites.a4_next_char.reference import (CountingLM, ElmanLM, GatedLM, RecordingLM, as_module,
                                                  cross_entropy_bits)


def known_halves(model, cell, x):
    """The halves test with a CharLM of ours (the reference's or a mutant's) carrying the student's weights
    (read from the worker the first time they are needed): (whole, first half, second half) logits."""
    state = []

    def run(nc):
        if not state:
            state.append({k: torch.from_numpy(np.array(v)) for k, v in model.state_dict().items()})
        ours = nc.CharLM(13, cell=cell)
        ours.load_state_dict(state[0])
        ours.eval()
        ids = torch.from_numpy(x)
        whole, _ = ours(ids)
        first, carried = ours(ids[:, :6])
        second, _ = ours(ids[:, 6:], carried)
        return whole, first, second

    return run


def parameter_count(vocab_size, cell):
    """The parameters of CharLM(vocab_size, cell=cell) with its default sizes, from torch's own layers."""
    layer = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](64, 128, batch_first=True)
    parts = [torch.nn.Embedding(vocab_size, 64), layer, torch.nn.Linear(128, vocab_size)]
    return sum(p.numel() for part in parts for p in part.parameters())


def check_layer_size(student, cell):
    """CharLM(13, cell=cell) holds the parameters of an embedding, that cell's recurrent layer and a linear layer:
    the cell option takes effect (an LSTM in place of a GRU has a third more recurrent weights)."""
    model = student.module("next_char").CharLM.remote(13, cell=cell)
    weights = model.state_dict()
    count = sum(int(np.size(v)) for v in weights.values()) if type(weights) is dict else None
    expected = parameter_count(13, cell)
    if count != expected:
        fail(f'CharLM(13, cell="{cell}")', f"holds {count} parameters; an nn.Embedding(13, 64), an "
             f"nn.{cell.upper()}(64, 128) and an nn.Linear(128, 13) hold {expected}.",
             "Build the recurrent layer the `cell` argument names: nn.RNN, nn.LSTM or nn.GRU.",
             Diagnosis(ASSIGNMENT, "next_char", got=count, uses=("CharLM",),
                       run=lambda nc: sum(int(v.numel()) for v in nc.CharLM(13, cell=cell).state_dict().values())))


@pytest.mark.points(2)
def test_char_lm_cells_and_state(student):
    nc = student.module("next_char")
    rng = np.random.default_rng(3)
    for cell in ("rnn", "lstm", "gru"):
        seed_torch(student, 3)
        model = nc.CharLM.remote(13, cell=cell)
        model.eval.remote()
        forward = model.returning(VALUE, HANDLE)
        x = rng.integers(13, size=(4, 12))
        with case(f'CharLM(13, cell="{cell}") on ids of shape (4, 12), state None'):
            whole, _ = forward(Tensor(x))
        assert_array(whole, shape=(4, 12, 13), what=f'CharLM(13, cell="{cell}") logits',
                     hint="forward returns logits (N, T, V) with batch_first=True.")
        with case(f'CharLM(13, cell="{cell}") on ids of shape (4, 6), then the next (4, 6) with the state carried'):
            first, state = forward(Tensor(x[:, :6]))
            second, _ = forward(Tensor(x[:, 6:]), state)
        diagnosis = Diagnosis(ASSIGNMENT, "next_char", got=(whole, first, second), rtol=1e-4, atol=1e-5,
                              run=known_halves(model, cell, x), uses=("CharLM",))
        assert_array(first, shape=(4, 6, 13), what=f'CharLM(13, cell="{cell}") logits of the first half',
                     diagnosis=diagnosis)
        assert_array(second, shape=(4, 6, 13), what=f'CharLM(13, cell="{cell}") logits of the second half',
                     diagnosis=diagnosis)
        assert_close(np.concatenate([first, second], axis=1), whole, rtol=1e-4, atol=1e-5, check_dtype=False,
                     what=f'cell="{cell}": logits of two halves with the state carried vs one call',
                     hint="forward(x, state) must start from the given state and return the state after "
                          "the last step.", diagnosis=diagnosis)
        # The second half read from a zero state: a fresh model's logits move by 0.06 or more when the
        # state of the first half is dropped (reference, model and data seeds 0..19, all three cells).
        cold, _ = forward(Tensor(x[:, 6:]))
        assert np.abs(cold.astype(np.float64) - second).max() > 1e-5, (
            f'cell="{cell}": the logits of the second half are the same whether it starts from the state of '
            "the first half or from zeros: the scores must come from the recurrent layer's outputs, which "
            "depend on the state.")
    for cell in ("rnn", "lstm", "gru"):
        check_layer_size(student, cell)
    expect_raises(ValueError, nc.CharLM.remote, 10, 8, 8, 1, "transformer", what='CharLM(..., cell="transformer")',
                  hint='cell must be "rnn", "lstm" or "gru"; raise ValueError for anything else.')


# Reference, model seeds 0..19 of a fresh CharLM(40) on random ids: loss at initialisation
# 3.685 .. 3.696 nats (ln 40 = 3.689); a fresh model should spread its bets almost evenly. Its logits
# are not constant (standard deviation 0.076 .. 0.091) and repeat exactly for the same input.
@pytest.mark.points(1)
def test_initial_loss_close_to_ln_v(student):
    nc = student.module("next_char")
    vocab_size = 40
    rng = np.random.default_rng(0)
    for seed in (0, 1):
        seed_torch(student, seed)
        model = nc.CharLM.remote(vocab_size)
        model.eval.remote()
        x = np.random.default_rng(100 + seed).integers(vocab_size, size=(8, 50))
        logits, _ = model.returning(VALUE, HANDLE)(Tensor(x))
        assert_array(logits, shape=(8, 50, vocab_size), what="CharLM(40) logits")
        again, _ = model.returning(VALUE, HANDLE)(Tensor(x))
        assert_close(again, logits, rtol=1e-5, atol=1e-6, check_dtype=False,
                     what="CharLM(40) logits of the same ids a second time (eval mode)",
                     hint="the same model must give the same scores for the same input.")
        assert float(np.std(logits)) > 1e-3, (
            "the logits of a fresh CharLM(40) are the same at every position: they must be the scores of the "
            "linear layer on the recurrent layer's outputs.")
        targets = rng.integers(vocab_size, size=8 * 50)
        loss = cross_entropy_bits(logits.reshape(-1, vocab_size), targets) * math.log(2)
        assert abs(loss - math.log(vocab_size)) < 0.1, (
            f"the loss of a fresh CharLM(40) on random text is {loss:.3f} nats, expected about "
            f"ln 40 = {math.log(vocab_size):.3f}. Are the outputs raw scores (no softmax) from "
            "default-initialised layers?")


# The grader's models (grader/suites/a4_next_char/reference.py): their logits are computed here, on
# the whole stream in one call, and bits_per_char must agree with them. The last remembers
# every character since the start, so a state reset at any chunk boundary shows.
BITS_CASES = [
    ("a tanh RNN", lambda: ElmanLM(7, seed=0), 7, 300, 0),
    ("an LSTM", lambda: GatedLM(20, seed=1), 20, 9000, 1),
    ("a model that counts every character seen", lambda: CountingLM(9), 9, 12000, 2),
]


@pytest.mark.points(2)
def test_bits_per_char_agrees_with_the_logits(student):
    nc = student.module("next_char")
    for name, build, vocab_size, length, seed in BITS_CASES:
        model = build()
        ids = np.random.default_rng(seed).integers(vocab_size, size=length)
        with case(f"bits_per_char of {name} on {length} random ids"):
            bits = nc.bits_per_char(student.callback(model, kind="module"), Tensor(ids))
        if type(bits) is np.ndarray and bits.size == 1 and bits.dtype.kind == "f" or type(bits) is int:
            bits = float(bits)
        assert type(bits) is float and math.isfinite(bits), (
            f"bits_per_char must return a finite float, got {bits!r:.80}.")
        logits, _ = model.forward(ids[None, :-1])
        expected = cross_entropy_bits(logits[0], ids[1:])
        if not math.isclose(bits, expected, rel_tol=1e-4, abs_tol=1e-6):
            fail(f"bits_per_char of {name} on {length} random ids",
                 f"{bits:.5f}; that model's logits give {expected:.5f} bits per character.",
                 "Feed ids[:-1] from a zero state, carry the state from chunk to chunk (do not reset it), and "
                 "charge -log2 p(ids[t+1]) for every t.",
                 Diagnosis(ASSIGNMENT, "next_char", got=bits, rtol=1e-4, atol=1e-6, uses=("bits_per_char",),
                           run=lambda nc, build=build, ids=ids: nc.bits_per_char(as_module(build()),
                                                                                 torch.from_numpy(ids))))


# train_char_lm with the grader's recording model on a stream whose next id is known (ids 0..10 in a
# cycle): the calls it makes (shape, state, grad) and the losses it reports.
RECORDED_STEPS, RECORDED_BATCH, RECORDED_SEQ_LEN, RECORDED_VOCAB = 12, 4, 20, 11
RECORDED_IDS = np.arange(2000) % RECORDED_VOCAB


def recorded_training(student):
    """(recorder, history, failure) of train_char_lm on the recording model, once per submission."""
    def run():
        recorder, history, failure = RecordingLM(RECORDED_VOCAB, seed=0), None, None
        try:
            history = student.module("next_char").train_char_lm(
                student.callback(recorder, kind="module"), Tensor(RECORDED_IDS), RECORDED_STEPS, RECORDED_BATCH,
                RECORDED_SEQ_LEN, 0.01, seed=0)
        except StudentCodeError as error:
            failure = error
        return recorder, history, failure
    return once(student, "recorded train_char_lm", run)


@pytest.mark.points(2)
def test_training_carries_a_detached_state(student):
    steps, batch, seq_len = RECORDED_STEPS, RECORDED_BATCH, RECORDED_SEQ_LEN
    recorder, history, failure = recorded_training(student)
    calls = recorder.calls
    shapes = [c["shape"] for c in calls]
    assert all(s == (batch, seq_len) for s in shapes), (
        f"each step must feed a (batch_size, seq_len) = ({batch}, {seq_len}) batch, got {shapes[:3]}.")
    if calls:
        assert calls[0]["state_is_none"], "the first batch should start from state None (zeros)."
    reset = [i for i in range(1, len(calls)) if calls[i]["state_is_none"]]
    if reset:
        fail("train_char_lm", f"the state was reset to None at steps {reset}.",
             hint_of(ASSIGNMENT, "state_reset_every_batch"))
    attached = [i for i in range(1, len(calls)) if calls[i]["requires_grad"]]
    if attached:
        then = ("\n(The next backward() then failed: " + str(failure).splitlines()[0][:200] + ")" if failure else "")
        fail("train_char_lm", f"the state given to the model at steps {attached} still requires grad.{then}",
             hint_of(ASSIGNMENT, "state_not_detached"))
    other = [i for i in range(1, len(calls)) if not calls[i]["same_as_last"]]
    assert not other, (
        f"at steps {other} the state given to the model is not the state it returned at the step before.")
    if failure is not None:
        raise failure
    assert len(calls) == steps, (
        f"train_char_lm(steps={steps}) called the model {len(calls)} times, expected one call per step.")
    losses(history, steps, "train_char_lm", "step")


@pytest.mark.points(1)
def test_training_history_in_bits_per_character(student):
    recorder, history, failure = recorded_training(student)
    what = (f"train_char_lm(steps={RECORDED_STEPS}, batch_size={RECORDED_BATCH}, seq_len={RECORDED_SEQ_LEN}) with a "
            "model of the grader's")
    if failure is not None:
        fail(what, f"your code raised an exception.\n{str(failure)[:2000]}")
    values = losses(history, RECORDED_STEPS, "train_char_lm", "step")
    calls = recorder.calls
    if len(calls) != RECORDED_STEPS:
        fail(what, f"called the model {len(calls)} times, expected one call per step ({RECORDED_STEPS}).")
    # On the stream 0, 1, ..., 10, 0, 1, ... the target of id k is (k + 1) mod 11; the grader knows the logits
    # it returned at each step, so it knows each step's loss.
    expected = [cross_entropy_bits(c["logits"].reshape(-1, RECORDED_VOCAB),
                                   ((c["x"] + 1) % RECORDED_VOCAB).reshape(-1)) for c in calls]
    wrong = [k for k, (v, e) in enumerate(zip(values, expected)) if not math.isclose(v, e, rel_tol=1e-4, abs_tol=1e-6)]
    if wrong:
        k = wrong[0]
        fail(what, f"reported {values[k]:.5f} for step {k}; the logits the model returned at that step give a "
             f"cross-entropy of {expected[k]:.5f} bits per character ({expected[k] * math.log(2):.5f} nats).",
             "history holds each step's mean loss in bits per character: F.cross_entropy gives nats, divide its "
             "loss.item() by ln 2 (math.log(2)).",
             Diagnosis(ASSIGNMENT, "next_char", got=history, rtol=1e-4, atol=1e-6, uses=("train_char_lm",),
                       run=lambda nc: nc.train_char_lm(as_module(RecordingLM(RECORDED_VOCAB, seed=0)),
                                                       torch.from_numpy(RECORDED_IDS), RECORDED_STEPS,
                                                       RECORDED_BATCH, RECORDED_SEQ_LEN, 0.01, seed=0)))


# Where each pass starts: on the stream 0, 1, ..., 199 (read by the grader's recording model, vocabulary 200) the
# first id of a pass's first batch IS its offset. 25 steps of batch 2, seq_len 10 are three passes (9 batches each).
OFFSET_IDS, OFFSET_STEPS, OFFSET_BATCH, OFFSET_SEQ_LEN = np.arange(200), 25, 2, 10


def pass_offsets(student, seed, torch_seed):
    """The offsets at which train_char_lm(seed=seed) starts its passes, after torch.manual_seed(torch_seed) in the
    worker (a pass starts where the model is given the state None)."""
    seed_torch(student, torch_seed)
    recorder = RecordingLM(len(OFFSET_IDS), seed=0)
    student.module("next_char").train_char_lm(student.callback(recorder, kind="module"), Tensor(OFFSET_IDS),
                                              OFFSET_STEPS, OFFSET_BATCH, OFFSET_SEQ_LEN, 0.01, seed=seed)
    return [int(call["x"][0, 0]) for call in recorder.calls if call["state_is_none"]]


@pytest.mark.points(1)
def test_training_offsets_follow_the_seed(student):
    # the docstring: "Each pass over the text starts at a random offset below seq_len (drawn from seed)".
    what = (f"train_char_lm(steps={OFFSET_STEPS}, batch_size={OFFSET_BATCH}, seq_len={OFFSET_SEQ_LEN}) on the ids "
            "0, 1, ..., 199 with a model of the grader's")
    with case(what):
        first = pass_offsets(student, seed=5, torch_seed=1)
        again = pass_offsets(student, seed=5, torch_seed=2)
        other = pass_offsets(student, seed=6, torch_seed=1)
    if len(first) < 2 or not all(0 <= offset < OFFSET_SEQ_LEN for offset in first):
        fail(what, f"its passes started at the ids {first}; expected a new pass every "
             f"{(len(OFFSET_IDS) // OFFSET_BATCH) // OFFSET_SEQ_LEN - 1} steps or so, each at an offset below seq_len.",
             "at the start of each pass draw offset = torch.randint(seq_len, (1,), generator=generator) and cut the "
             "batches from train_ids[offset:], with the state back to None.")
    if first != again:
        fail(what, f"with seed=5 twice it started its passes at {first} and then at {again} (the worker's global torch "
             "seed differed between the two calls).", hint_of(ASSIGNMENT, "offset_from_global_rng"))
    if first == other:
        fail(what, f"seed=5 and seed=6 started the passes at the same offsets {first}.",
             hint_of(ASSIGNMENT, "offset_always_zero") if set(first) == {0} else
             "draw the offsets from a generator seeded with the seed argument: torch.Generator().manual_seed(seed).")


def parameter_change(student, clip):
    """The largest change of any parameter of a small CharLM over 2 train_char_lm steps (lr 0.1), with ``clip``
    (None: the default)."""
    nc = student.module("next_char")
    seed_torch(student, 0)
    model = nc.CharLM.remote(7, embed_dim=4, hidden_size=6)
    before = model.state_dict()
    options = {} if clip is None else {"clip": clip}
    nc.train_char_lm(model, Tensor(np.arange(200) % 7), 2, 2, 5, 0.1, seed=0, **options)
    after = model.state_dict()
    if not (type(before) is dict and type(after) is dict and before.keys() == after.keys()):
        fail("CharLM(7).state_dict()", "could not be read back before and after training.")
    return max(float(np.max(np.abs(np.asarray(after[k], dtype=np.float64) - np.asarray(before[k], dtype=np.float64))))
               for k in before)


# Adam's first steps move each parameter by about lr * g / (|g| + 1e-8): by about lr = 0.1 wherever the gradient is
# not zero, whatever its size, but by at most lr * 1e-12 / 1e-8 = 1e-5 per step once the whole gradient is clipped to
# a norm of 1e-12. Reference: 2e-5 at most with clip=1e-12; 0.1 to 0.2 with the default clip.
MAX_CLIPPED_CHANGE, MIN_TRAINED_CHANGE = 1e-3, 1e-2


@pytest.mark.points(1)
def test_training_clips_the_gradient_norm(student):
    what = "train_char_lm(CharLM(7, embed_dim=4, hidden_size=6), 2 steps of batch 2, seq_len 5, lr=0.1"
    with case(f"{what}, clip=1e-12)"):
        clipped = parameter_change(student, 1e-12)
    with case(f"{what}, the default clip)"):
        trained = parameter_change(student, None)
    if trained < MIN_TRAINED_CHANGE:
        fail(f"{what}, the default clip)", f"no parameter moved by more than {trained:.2g} in 2 Adam steps.",
             "for each batch: zero_grad, backward, clip_grad_norm_, optimizer.step().")
    if clipped > MAX_CLIPPED_CHANGE:
        fail(f"{what}, clip=1e-12)", f"a parameter moved by {clipped:.3g}; with the gradient clipped to a norm of 1e-12 "
             f"Adam moves none by more than about 2e-5.", hint_of(ASSIGNMENT, "clip_ignored"))


@pytest.mark.points(1)
def test_detach_state_cuts_the_graph_and_keeps_its_values(student):
    torch_ = student.module("torch")
    nc = student.module("next_char")
    leaf = torch_.full.remote((1, 2, 3), 0.5, requires_grad=True)
    h, c = torch_.mul.remote(leaf, 2.0), torch_.mul.remote(leaf, 3.0)      # tensors with a graph behind them
    with case("detach_state(None)"):
        if nc.detach_state(None) is not None:
            fail("detach_state(None)", "must return None.")
    for name, state, values in (("a tensor h (1, 2, 3) that requires grad", h, [1.0]),
                                ("an LSTM state (h, c), two tensors (1, 2, 3) that require grad", (h, c), [1.0, 1.5])):
        what = f"detach_state of {name}"
        with case(what):
            out = nc.detach_state.remote(state)
            kind = out.type_name()
            expected_kind = "torch.Tensor" if len(values) == 1 else "builtins.tuple"
            if kind != expected_kind:
                fail(what, f"returned a {kind}; it must return the same structure ({expected_kind}).")
            parts = [out] if len(values) == 1 else [student.module("operator").getitem.remote(out, i) for i in (0, 1)]
            for index, (part, value) in enumerate(zip(parts, values)):
                label = "the tensor" if len(values) == 1 else ("h", "c")[index]
                if part.requires_grad.get() is not False:
                    fail(what, f"{label} it returned still requires grad: the graph behind it was not cut.",
                         hint_of(ASSIGNMENT, "detach_state_keeps_c_attached") if index == 1 else
                         "return state.detach() for a tensor, and a tuple of s.detach() for a tuple.")
                assert_close(part.get(), np.full((1, 2, 3), value, np.float32), rtol=0, atol=0,
                             what=f"{what}: the values of {label}", hint="detach() keeps the values as they are.")
