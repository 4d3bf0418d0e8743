"""Assignment 4: next-character prediction, from the alphabet to a character language model.

Part A teaches an LSTM the alphabet: given a run of letters ("ABC"), predict the next one ("D"),
with prefixes of different lengths padded into one batch and packed so the padding never changes a
prediction. Part B trains a character language model on a long text with truncated
backpropagation through time, measures it in bits per character on held-out text, and samples new
text from it.

Shapes: N batch, T time, E embedding, H hidden, V vocabulary.
All recurrent layers use batch_first=True: tensors are (N, T, ...).
"""

import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence
from tqdm import tqdm

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PAD = 0                      # the padding code; letters are 1..26, so PAD is never a letter
NUM_CODES = len(LETTERS) + 1  # 27: PAD and the 26 letters


# ----------------------------------------------------------------------------------------------
# Part A: the alphabet
# ----------------------------------------------------------------------------------------------

def encode_letters(s):
    """Encode a string of capital letters as codes 1..26 ("A" -> 1, ..., "Z" -> 26).

    Inputs:
    - s: str of length T, every character in LETTERS.

    Returns:
    - codes: long tensor of shape (T,).

    Raises ValueError naming the first character that is not a capital letter.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def decode_letters(ids):
    """Decode letter codes back to a string, skipping PAD.

    Inputs:
    - ids: iterable of ints (list or long tensor of shape (T,)), each PAD or in 1..26.

    Returns:
    - s: str of the letters, without padding.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def alphabet_examples(max_len=5):
    """Every run of 1..max_len consecutive letters that has a next letter, with that letter.

    Inputs:
    - max_len: int, the longest prefix.

    Returns:
    - examples: list of (prefix, next_letter) pairs of str, e.g. ("ABC", "D") and ("Y", "Z");
      no prefix ends in "Z" (it has no next letter).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def collate_alphabet(examples):
    """Pad the prefixes of a list of examples into one batch.

    Inputs:
    - examples: list of N (prefix, next_letter) pairs.

    Returns:
    - padded: long tensor (N, T), T the longest prefix; row n holds the codes of prefix n
      followed by PAD (right padding).
    - lengths: long tensor (N,), the length of each prefix.
    - targets: long tensor (N,), the code of each next letter.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


class AlphabetLSTM(nn.Module):
    """Embedding -> LSTM (batch_first) -> linear layer on the last real time step of each row."""

    def __init__(self, embed_dim=8, hidden_size=32):
        """Inputs:
        - embed_dim: int E, size of the letter embedding (NUM_CODES codes, PAD included).
        - hidden_size: int H, size of the LSTM state.

        Hint: nn.Embedding(NUM_CODES, embed_dim, padding_idx=PAD), nn.LSTM(..., batch_first=True)
        and nn.Linear(hidden_size, NUM_CODES).
        """
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, padded, lengths):
        """Scores of the next letter of every prefix in the batch.

        Inputs:
        - padded: long tensor (N, T), right-padded with PAD.
        - lengths: long tensor (N,), the real length of each row (1..T).

        Returns:
        - logits: float tensor (N, NUM_CODES), computed from the LSTM state after the last real
          letter of each row, so the padding never changes a prediction.

        Hint: pack the embedded batch with pack_padded_sequence(embedded, lengths.cpu(),
        batch_first=True, enforce_sorted=False). Given a packed input, nn.LSTM returns in h_n the
        state of every row after its own last real step.
        """
        # YOUR CODE HERE
        raise NotImplementedError()


def train_alphabet(model, examples, epochs, lr, seed):
    """Train ``model`` on the examples with Adam and cross-entropy, in shuffled mini-batches of 16.

    Inputs:
    - model: AlphabetLSTM.
    - examples: list of (prefix, next_letter) pairs.
    - epochs: int, passes over the examples.
    - lr: float, Adam learning rate.
    - seed: int, seeds the shuffling.

    Returns:
    - history: list of float, one per epoch: the mean training loss per example (nats) over the
      epoch, each mini-batch's loss taken before its step and weighted by its size.

    Hint: make ONE generator before the epoch loop, generator = torch.Generator().manual_seed(seed),
    and at the start of every epoch draw that epoch's order from it with
    torch.randperm(len(examples), generator=generator): each epoch gets a new order, and the same
    seed gives the same orders. (A generator made again in every epoch would repeat the first
    order.) Collate each mini-batch and use F.cross_entropy on the logits and the target codes.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def predict_next_letter(model, prefix):
    """The letter ``model`` predicts after ``prefix`` (the highest score among the 26 letters).

    Inputs:
    - model: AlphabetLSTM.
    - prefix: str of one or more capital letters.

    Returns:
    - letter: str of length 1 in LETTERS (never the padding).

    Hint: model.eval() and torch.no_grad(); skip the PAD score (index 0) in the argmax.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# ----------------------------------------------------------------------------------------------
# Part B: the character language model
# ----------------------------------------------------------------------------------------------

class CharVocab:
    """The characters of a text, each with an integer id 0..V-1 (in sorted order)."""

    def __init__(self, text):
        """Inputs:
        - text: str, the training text; its distinct characters are the vocabulary.
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def encode(self, s):
        """Ids of the characters of ``s``.

        Inputs:
        - s: str of length T.

        Returns:
        - ids: long tensor (T,).

        Raises ValueError naming the first character that is not in the vocabulary.
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def decode(self, ids):
        """The string of the ids (list of ints or long tensor (T,))."""
        # YOUR CODE HERE
        raise NotImplementedError()

    def __len__(self):
        """V, the number of characters."""
        # YOUR CODE HERE
        raise NotImplementedError()


def prepare_texts(train_text, heldout_text):
    """Build the vocabulary from the training text only and encode both texts with it.

    The held-out text plays the part of text the model has never seen: nothing about it,
    not even its set of characters, may shape the model.

    Inputs:
    - train_text: str, the text the model learns from.
    - heldout_text: str, the text it is measured on.

    Returns:
    - vocab: CharVocab of train_text.
    - train_ids: long tensor (L_train,).
    - heldout_ids: long tensor (L_heldout,).

    Raises ValueError (from CharVocab.encode) if the held-out text has a character the
    training text lacks.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def make_lm_batches(ids, batch_size, seq_len):
    """Cut a stream of ids into batches for truncated backpropagation through time.

    The stream is split into batch_size rows of equal length; batch i holds columns
    i*seq_len .. (i+1)*seq_len - 1 of every row, so row b of a batch continues row b of the batch
    before and the recurrent state can be carried from one batch to the next.

    Inputs:
    - ids: long tensor (L,) (or list of ints), the encoded text.
    - batch_size: int N.
    - seq_len: int T, time steps per batch.

    Returns:
    - batches: list of (x, y), both long tensors (N, T); y[b, t] is the id that follows x[b, t]
      in the stream. Characters that do not fill a whole batch at the end are dropped.

    Hint: with L = (len(ids) - 1) // batch_size, ids[:N * L].view(N, L) holds the inputs of the
    N rows and ids[1:N * L + 1].view(N, L) their targets; then take seq_len columns at a time.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


class CharLM(nn.Module):
    """Embedding -> recurrent layer(s) (batch_first) -> linear scores of the next character."""

    def __init__(self, vocab_size, embed_dim=64, hidden_size=128, num_layers=1, cell="lstm"):
        """Inputs:
        - vocab_size: int V.
        - embed_dim: int E.
        - hidden_size: int H.
        - num_layers: int, stacked recurrent layers.
        - cell: "rnn" (tanh), "lstm" or "gru"; anything else raises ValueError.

        Hint: nn.RNN, nn.LSTM and nn.GRU take the same arguments (use batch_first=True) and
        all return (outputs, state).
        """
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x, state=None):
        """Scores of the next character at every time step.

        Inputs:
        - x: long tensor (N, T) of ids.
        - state: the recurrent state returned by the previous call, or None for zeros.

        Returns:
        - logits: float tensor (N, T, V); logits[n, t] scores the id after x[n, t].
        - state: the recurrent state after the last step (a tensor, or a pair (h, c) for LSTM).
        """
        # YOUR CODE HERE
        raise NotImplementedError()


def detach_state(state):
    """Cut the graph behind a recurrent state, keeping its values.

    Inputs:
    - state: None, a tensor, or a tuple of tensors (LSTM's (h, c)).

    Returns:
    - the same structure with every tensor detached.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def train_char_lm(model, train_ids, steps, batch_size, seq_len, lr, clip=1.0, seed=0):
    """Train a CharLM with truncated BPTT, carrying the state from batch to batch.

    Each pass over the text starts at a random offset below seq_len (drawn from ``seed``) and
    from a zero state; within a pass the state is carried over with detach_state.

    Inputs:
    - model: CharLM.
    - train_ids: long tensor (L,), the encoded training text.
    - steps: int, number of optimizer steps (batches); the passes repeat as needed.
    - batch_size: int N, seq_len: int T (see make_lm_batches).
    - lr: float, Adam learning rate.
    - clip: float, the gradient norm is clipped to this value before each step.
    - seed: int.

    Returns:
    - history: list of float, the training loss of each step in bits per character.

    Hints: flatten logits to (N*T, V) and y to (N*T,) for F.cross_entropy; call
    nn.utils.clip_grad_norm_(model.parameters(), clip) between backward() and step(); show
    progress with tqdm(range(steps), disable=not sys.stderr.isatty()) so logs stay clean.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def bits_per_char(model, ids):
    """Average bits the model pays per character of a held-out text.

    The model reads ids[:-1] from a zero state (in chunks, carrying the state) and is charged
    -log2 p(ids[t+1] | ids[:t+1]) for every t.

    Inputs:
    - model: CharLM.
    - ids: long tensor (L,) with L >= 2.

    Returns:
    - bits: float, total bits of ids[1:] / (L - 1).

    Hint: under torch.no_grad(), F.cross_entropy(..., reduction="sum") gives the total in nats;
    one bit is ln 2 nats.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def sample(model, vocab, prime, length, temperature=1.0, generator=None):
    """Generate text by feeding the model its own samples, one character at a time.

    Only model(x, state) -> (logits, state) is used, so any model with CharLM's forward works.

    Inputs:
    - model: CharLM (or a module with the same forward).
    - vocab: CharVocab.
    - prime: str of at least one character, read first to set the state.
    - length: int, number of characters to generate.
    - temperature: float >= 0; the next id is drawn from softmax(logits / temperature), and
      temperature 0 means the argmax (no randomness).
    - generator: optional torch.Generator; the same generator seed gives the same text.

    Returns:
    - text: str, prime followed by ``length`` generated characters.

    Hint: torch.multinomial(probs, 1, generator=generator) draws one id from probs (V,).
    """
    # YOUR CODE HERE
    raise NotImplementedError()
