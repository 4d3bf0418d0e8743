"""Trusted code that runs inside the worker, next to the student's next_char module.

Each probe imports next_char inside its body, builds models, trains or samples, and returns
plain data (arrays, lists, strings) for the grader to score. Probes compute no grade.
"""


def _setup(seed):
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    return torch


def error_of(function, *args):
    """(exception type name, message) raised by function(*args), or (None, repr of the value)."""
    try:
        value = function(*args)
    except Exception as err:  # the student's exception, reported as data
        return type(err).__name__, str(err)
    return None, repr(value)


def letter_codes_probe():
    """encode/decode on known strings, and what encode does with a lower-case letter."""
    import next_char

    codes = next_char.encode_letters("AZBY")
    return {
        "codes": codes,
        "decoded": next_char.decode_letters([1, 26, 2, 25, next_char.PAD, next_char.PAD]),
        "decoded_tensor": next_char.decode_letters(codes),
        "bad": error_of(next_char.encode_letters, "AbC"),
    }


def collate_probe(examples):
    """collate_alphabet on a list of [prefix, letter] pairs (sent as lists)."""
    import next_char

    padded, lengths, targets = next_char.collate_alphabet([tuple(e) for e in examples])
    return padded, lengths, targets


def padding_invariance_probe(seed):
    """Logits of each short prefix alone, and inside a batch padded to longer prefixes."""
    torch = _setup(seed)
    import next_char

    model = next_char.AlphabetLSTM()
    model.eval()
    short = [("C", "D"), ("KL", "M"), ("PQR", "S")]
    longer = [("ABCDEFGHIJ", "K"), ("FGHIJKLMNOPQRS", "T")]
    alone = []
    with torch.no_grad():
        for example in short:
            padded, lengths, _ = next_char.collate_alphabet([example])
            alone.append(model(padded, lengths)[0])
        padded, lengths, _ = next_char.collate_alphabet(short + longer)
        batched = model(padded, lengths)
    return torch.stack(alone), batched[:len(short)], tuple(batched.shape)


def alphabet_training_probe(seed, epochs, lr, max_len, test_prefixes):
    """Train AlphabetLSTM on alphabet_examples(max_len); predict the letter after each prefix."""
    torch = _setup(seed)
    import next_char

    model = next_char.AlphabetLSTM()
    history = next_char.train_alphabet(model, next_char.alphabet_examples(max_len), epochs, lr, seed)
    predictions = [next_char.predict_next_letter(model, p) for p in test_prefixes]
    return predictions, [float(h) for h in history]


def vocab_probe(text, probe_text):
    """CharVocab(text): size, ids of probe_text, round trip, and the error on an unknown char."""
    import next_char

    vocab = next_char.CharVocab(text)
    ids = vocab.encode(probe_text)
    return {
        "size": len(vocab),
        "ids": ids,
        "decoded": vocab.decode(ids),
        "decoded_list": vocab.decode([int(i) for i in ids]),
        "unknown": error_of(vocab.encode, probe_text + "#"),
    }


def prepare_texts_probe(train_text, heldout_text):
    """prepare_texts: vocabulary size, both id arrays, and the decoded texts."""
    import next_char

    try:
        vocab, train_ids, heldout_ids = next_char.prepare_texts(train_text, heldout_text)
    except Exception as err:
        return {"error": (type(err).__name__, str(err))}
    return {"error": None, "size": len(vocab), "train_ids": train_ids, "heldout_ids": heldout_ids,
            "train_decoded": vocab.decode(train_ids), "heldout_decoded": vocab.decode(heldout_ids)}


def batches_probe(length, batch_size, seq_len):
    """make_lm_batches on the stream 0, 1, ..., length - 1 (so every id names its position)."""
    import torch
    import next_char

    batches = next_char.make_lm_batches(torch.arange(length), batch_size, seq_len)
    return [(x, y) for x, y in batches]


def char_lm_forward_probe(seed, cell, vocab_size, batch_size, steps):
    """CharLM outputs on a batch in one call, and in two halves with the state carried."""
    torch = _setup(seed)
    import next_char

    model = next_char.CharLM(vocab_size, cell=cell)
    model.eval()
    x = torch.randint(vocab_size, (batch_size, steps))
    with torch.no_grad():
        whole, _ = model(x)
        half = steps // 2
        first, state = model(x[:, :half])
        second, _ = model(x[:, half:], state)
    return whole, torch.cat([first, second], dim=1)


def bad_cell_probe():
    """What CharLM does with cell="transformer"."""
    import next_char

    return error_of(next_char.CharLM, 10, 8, 8, 1, "transformer")


def initial_logits_probe(seed, vocab_size, batch_size, steps):
    """Logits of a freshly built CharLM on random ids (the grader computes the loss)."""
    torch = _setup(seed)
    import next_char

    model = next_char.CharLM(vocab_size)
    x = torch.randint(vocab_size, (batch_size, steps))
    with torch.no_grad():
        logits, _ = model(x)
    return logits


def bits_per_char_probe(seed, vocab_size, length):
    """The student's bits_per_char on random ids, and the model's logits over the whole stream."""
    torch = _setup(seed)
    import next_char

    model = next_char.CharLM(vocab_size, embed_dim=16, hidden_size=32)
    ids = torch.randint(vocab_size, (length,))
    bits = next_char.bits_per_char(model, ids)
    model.eval()
    with torch.no_grad():
        logits, _ = model(ids[:-1].unsqueeze(0))
    return float(bits), logits[0], ids


def _memory_lm(torch, vocab_size):
    """A trusted model whose scores depend on every character seen since the start.

    Its state is the running count of each id; the scores are a fixed function of the counts, so
    restarting from a zero state anywhere changes every later prediction.
    """

    class CountingLM(torch.nn.Module):
        def forward(self, x, state=None):
            counts = torch.nn.functional.one_hot(x, vocab_size).to(torch.float64).cumsum(dim=1)
            if state is not None:
                counts = counts + state.unsqueeze(1)
            frequencies = torch.linspace(0.3, 1.7, vocab_size, dtype=torch.float64)
            logits = 2.0 * torch.sin(counts * frequencies).to(torch.float32)
            return logits, counts[:, -1]

    return CountingLM()


def memory_bits_probe(seed, vocab_size, length):
    """bits_per_char with a model whose predictions depend on the whole history, and its logits."""
    torch = _setup(seed)
    import next_char

    model = _memory_lm(torch, vocab_size)
    ids = torch.randint(vocab_size, (length,))
    bits = next_char.bits_per_char(model, ids)
    with torch.no_grad():
        logits, _ = model(ids[:-1].unsqueeze(0))
    return float(bits), logits[0], ids


def _recording_lm(torch, vocab_size, calls):
    """A tiny LSTM language model that records every state it is given (trusted code)."""

    class RecordingLM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(vocab_size, 8)
            self.rnn = torch.nn.LSTM(8, 16, batch_first=True)
            self.head = torch.nn.Linear(16, vocab_size)
            self.last_state = None

        def forward(self, x, state=None):
            record = {"x": x.detach().clone(), "state_is_none": state is None}
            if state is not None:
                h, c = state
                previous = self.last_state
                record["requires_grad"] = bool(h.requires_grad or c.requires_grad)
                record["same_as_last"] = previous is not None and bool(
                    torch.equal(h, previous[0]) and torch.equal(c, previous[1]))
            outputs, state = self.rnn(self.embed(x), state)
            self.last_state = tuple(s.detach() for s in state)
            calls.append(record)
            return self.head(outputs), state

    return RecordingLM()


def training_state_probe(seed, length, steps, batch_size, seq_len):
    """Run train_char_lm on a recording model; report what it passed to forward at each step."""
    torch = _setup(seed)
    import next_char

    calls = []
    model = _recording_lm(torch, 11, calls)
    ids = torch.randint(11, (length,))
    history = next_char.train_char_lm(model, ids, steps, batch_size, seq_len, 0.01, seed=seed)
    return {
        "history": [float(h) for h in history],
        "state_is_none": [c["state_is_none"] for c in calls],
        "requires_grad": [c.get("requires_grad", False) for c in calls],
        "same_as_last": [c.get("same_as_last", False) for c in calls],
        "shapes": [tuple(c["x"].shape) for c in calls],
    }


def train_and_score_probe(seed, train_text, heldout_text, steps, batch_size, seq_len, lr):
    """Train a default CharLM on train_text; return its logits on every held-out position.

    The grader computes bits per character from the logits itself.
    """
    torch = _setup(seed)
    import next_char

    vocab = next_char.CharVocab(train_text)
    train_ids, heldout_ids = vocab.encode(train_text), vocab.encode(heldout_text)
    model = next_char.CharLM(len(vocab))
    history = next_char.train_char_lm(model, train_ids, steps, batch_size, seq_len, lr, seed=seed)
    model.eval()
    with torch.no_grad():
        logits, _ = model(heldout_ids[:-1].unsqueeze(0))
    targets = heldout_ids[1:]
    return {"logits": logits[0], "targets": targets, "history": [float(h) for h in history],
            "chars": "".join(vocab.decode(list(range(len(vocab)))))}


def _fixed_models(torch, vocab_size):
    class FixedLogits(torch.nn.Module):
        """Whatever the input, the next-character scores are ``logits``."""

        def __init__(self, logits):
            super().__init__()
            self.logits = torch.nn.Parameter(torch.as_tensor(logits, dtype=torch.float32))

        def forward(self, x, state=None):
            n, t = x.shape
            return self.logits.expand(n, t, -1).clone(), state

    class Successor(torch.nn.Module):
        """Scores favouring id (x + 1) mod V, with a little noise so every id stays possible."""

        def forward(self, x, state=None):
            scores = 4.0 * torch.nn.functional.one_hot((x + 1) % vocab_size, vocab_size).float()
            return scores + 0.1 * torch.cos(torch.arange(vocab_size, dtype=torch.float32)), state

    return FixedLogits, Successor


def sample_probe(text, logits, prime, length, temperature, generator_seed, kind="fixed"):
    """sample() with a model whose output distribution the grader knows."""
    torch = _setup(0)
    import next_char

    vocab = next_char.CharVocab(text)
    FixedLogits, Successor = _fixed_models(torch, len(vocab))
    model = FixedLogits(logits) if kind == "fixed" else Successor()
    generator = None
    if generator_seed is not None:
        generator = torch.Generator().manual_seed(generator_seed)
    return next_char.sample(model, vocab, prime, length, temperature=temperature, generator=generator)


def sample_twice_probe(text, logits, prime, length, seeds):
    """Texts from sample() with fresh generators seeded seeds[0], seeds[1], ... (global RNG moved)."""
    torch = _setup(0)
    import next_char

    vocab = next_char.CharVocab(text)
    FixedLogits, _ = _fixed_models(torch, len(vocab))
    model = FixedLogits(logits)
    texts = []
    for index, seed in enumerate(seeds):
        torch.manual_seed(1000 + index)  # the global generator differs between calls
        texts.append(next_char.sample(model, vocab, prime, length, 1.0,
                                      torch.Generator().manual_seed(seed)))
    return texts
