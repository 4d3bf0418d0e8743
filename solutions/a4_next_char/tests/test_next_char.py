"""Public tests of next_char.py: shapes, small known values, sanity properties.

Run them from the assignment folder with `pytest tests/`. Passing them does not mean full marks:
the grader's hidden tests train your models and check them much more closely.
"""

import math

import pytest
import torch

import next_char as nc


def test_letters_are_coded_from_one():
    assert nc.PAD == 0
    assert nc.encode_letters("ABZ").tolist() == [1, 2, 26], "A is 1, ..., Z is 26: code 0 is reserved for PAD"
    assert nc.decode_letters([1, 2, 26, nc.PAD]) == "ABZ", "decode_letters skips PAD"


def test_alphabet_examples_small():
    examples = nc.alphabet_examples(2)
    assert ("A", "B") in examples and ("Y", "Z") in examples and ("XY", "Z") in examples
    assert len(examples) == 25 + 24, "25 prefixes of length 1 and 24 of length 2"


def test_collate_alphabet_pads_on_the_right():
    padded, lengths, targets = nc.collate_alphabet([("AB", "C"), ("D", "E")])
    assert padded.tolist() == [[1, 2], [4, nc.PAD]]
    assert lengths.tolist() == [2, 1]
    assert targets.tolist() == [3, 5]


def test_alphabet_lstm_output_shape():
    torch.manual_seed(0)
    model = nc.AlphabetLSTM()
    padded, lengths, _ = nc.collate_alphabet(nc.alphabet_examples(3)[:7])
    assert model(padded, lengths).shape == (7, 27)


def test_char_vocab_round_trip_and_unknown_character():
    vocab = nc.CharVocab("banana split")
    assert len(vocab) == 9
    assert vocab.decode(vocab.encode("lap nab")) == "lap nab"
    with pytest.raises(ValueError, match="z"):
        vocab.encode("bz")


def test_make_lm_batches_shift_by_one():
    batches = nc.make_lm_batches(torch.arange(50), batch_size=2, seq_len=4)
    x, y = batches[0]
    assert x.shape == (2, 4) and y.shape == (2, 4)
    assert torch.equal(y, x + 1), "y is the stream shifted by one character"


def test_char_lm_shapes():
    torch.manual_seed(0)
    for cell in ("rnn", "lstm", "gru"):
        model = nc.CharLM(11, embed_dim=8, hidden_size=16, cell=cell)
        logits, state = model(torch.randint(11, (3, 5)))
        assert logits.shape == (3, 5, 11)
        logits, _ = model(torch.randint(11, (3, 2)), state)
        assert logits.shape == (3, 2, 11)


def test_bits_per_char_of_a_fresh_model_is_about_log2_v():
    torch.manual_seed(0)
    model = nc.CharLM(16, embed_dim=8, hidden_size=16)
    bits = nc.bits_per_char(model, torch.randint(16, (500,)))
    assert abs(bits - math.log2(16)) < 0.3, "an untrained model spreads its bets: about log2(V) bits"


def test_sample_is_reproducible_and_starts_with_the_prime():
    torch.manual_seed(0)
    vocab = nc.CharVocab("abc ")
    model = nc.CharLM(len(vocab), embed_dim=8, hidden_size=16)
    first = nc.sample(model, vocab, "ab", 30, temperature=1.0, generator=torch.Generator().manual_seed(3))
    again = nc.sample(model, vocab, "ab", 30, temperature=1.0, generator=torch.Generator().manual_seed(3))
    assert first == again and first.startswith("ab") and len(first) == 32
    greedy = nc.sample(model, vocab, "ab", 30, temperature=0)
    assert greedy == nc.sample(model, vocab, "ab", 30, temperature=0)
