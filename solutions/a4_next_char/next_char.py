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
    ### BEGIN SOLUTION
    codes = []
    for ch in s:
        if ch not in LETTERS:
            raise ValueError(f"{ch!r} is not one of the capital letters A-Z")
        codes.append(LETTERS.index(ch) + 1)
    return torch.tensor(codes, dtype=torch.long)
    ### END SOLUTION


def decode_letters(ids):
    """Decode letter codes back to a string, skipping PAD.

    Inputs:
    - ids: iterable of ints (list or long tensor of shape (T,)), each PAD or in 1..26.

    Returns:
    - s: str of the letters, without padding.
    """
    ### BEGIN SOLUTION
    return "".join(LETTERS[int(i) - 1] for i in ids if int(i) != PAD)
    ### END SOLUTION


def alphabet_examples(max_len=5):
    """Every run of 1..max_len consecutive letters that has a next letter, with that letter.

    Inputs:
    - max_len: int, the longest prefix.

    Returns:
    - examples: list of (prefix, next_letter) pairs of str, e.g. ("ABC", "D") and ("Y", "Z");
      no prefix ends in "Z" (it has no next letter).
    """
    ### BEGIN SOLUTION
    examples = []
    for length in range(1, max_len + 1):
        for start in range(len(LETTERS) - length):
            examples.append((LETTERS[start:start + length], LETTERS[start + length]))
    return examples
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    lengths = torch.tensor([len(prefix) for prefix, _ in examples], dtype=torch.long)
    padded = torch.full((len(examples), int(lengths.max())), PAD, dtype=torch.long)
    for n, (prefix, _) in enumerate(examples):
        padded[n, :len(prefix)] = encode_letters(prefix)
    targets = torch.cat([encode_letters(letter) for _, letter in examples])
    return padded, lengths, targets
    ### END SOLUTION


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
        ### BEGIN SOLUTION
        self.embed = nn.Embedding(NUM_CODES, embed_dim, padding_idx=PAD)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, NUM_CODES)
        ### END SOLUTION

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
        ### BEGIN SOLUTION
        packed = pack_padded_sequence(self.embed(padded), lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)
        return self.head(h_n[-1])
        ### END SOLUTION


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
    ### BEGIN SOLUTION
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(examples), generator=generator).tolist()
        total = 0.0
        for start in range(0, len(order), 16):
            batch = [examples[i] for i in order[start:start + 16]]
            padded, lengths, targets = collate_alphabet(batch)
            loss = F.cross_entropy(model(padded, lengths), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        history.append(total / len(examples))
    return history
    ### END SOLUTION


def predict_next_letter(model, prefix):
    """The letter ``model`` predicts after ``prefix`` (the highest score among the 26 letters).

    Inputs:
    - model: AlphabetLSTM.
    - prefix: str of one or more capital letters.

    Returns:
    - letter: str of length 1 in LETTERS (never the padding).

    Hint: model.eval() and torch.no_grad(); skip the PAD score (index 0) in the argmax.
    """
    ### BEGIN SOLUTION
    model.eval()
    with torch.no_grad():
        codes = encode_letters(prefix).unsqueeze(0)
        logits = model(codes, torch.tensor([len(prefix)]))[0]
    return LETTERS[int(logits[1:].argmax())]
    ### END SOLUTION


# ----------------------------------------------------------------------------------------------
# Part B: the character language model
# ----------------------------------------------------------------------------------------------

class CharVocab:
    """The characters of a text, each with an integer id 0..V-1 (in sorted order)."""

    def __init__(self, text):
        """Inputs:
        - text: str, the training text; its distinct characters are the vocabulary.
        """
        ### BEGIN SOLUTION
        self.chars = sorted(set(text))
        self.index = {ch: i for i, ch in enumerate(self.chars)}
        ### END SOLUTION

    def encode(self, s):
        """Ids of the characters of ``s``.

        Inputs:
        - s: str of length T.

        Returns:
        - ids: long tensor (T,).

        Raises ValueError naming the first character that is not in the vocabulary.
        """
        ### BEGIN SOLUTION
        try:
            return torch.tensor([self.index[ch] for ch in s], dtype=torch.long)
        except KeyError as err:
            raise ValueError(f"character {err.args[0]!r} is not in the vocabulary") from None
        ### END SOLUTION

    def decode(self, ids):
        """The string of the ids (list of ints or long tensor (T,))."""
        ### BEGIN SOLUTION
        return "".join(self.chars[int(i)] for i in ids)
        ### END SOLUTION

    def __len__(self):
        """V, the number of characters."""
        ### BEGIN SOLUTION
        return len(self.chars)
        ### END SOLUTION


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
    ### BEGIN SOLUTION
    vocab = CharVocab(train_text)
    return vocab, vocab.encode(train_text), vocab.encode(heldout_text)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    ids = torch.as_tensor(ids, dtype=torch.long)
    row_len = (len(ids) - 1) // batch_size
    inputs = ids[:batch_size * row_len].view(batch_size, row_len)
    targets = ids[1:batch_size * row_len + 1].view(batch_size, row_len)
    return [(inputs[:, t:t + seq_len], targets[:, t:t + seq_len])
            for t in range(0, row_len - seq_len + 1, seq_len)]
    ### END SOLUTION


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
        ### BEGIN SOLUTION
        layers = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
        if cell not in layers:
            raise ValueError(f"cell must be 'rnn', 'lstm' or 'gru', got {cell!r}")
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.rnn = layers[cell](embed_dim, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)
        ### END SOLUTION

    def forward(self, x, state=None):
        """Scores of the next character at every time step.

        Inputs:
        - x: long tensor (N, T) of ids.
        - state: the recurrent state returned by the previous call, or None for zeros.

        Returns:
        - logits: float tensor (N, T, V); logits[n, t] scores the id after x[n, t].
        - state: the recurrent state after the last step (a tensor, or a pair (h, c) for LSTM).
        """
        ### BEGIN SOLUTION
        outputs, state = self.rnn(self.embed(x), state)
        return self.head(outputs), state
        ### END SOLUTION


def detach_state(state):
    """Cut the graph behind a recurrent state, keeping its values.

    Inputs:
    - state: None, a tensor, or a tuple of tensors (LSTM's (h, c)).

    Returns:
    - the same structure with every tensor detached.
    """
    ### BEGIN SOLUTION
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    train_ids = torch.as_tensor(train_ids, dtype=torch.long)
    history, batches, state = [], [], None
    model.train()
    for _ in tqdm(range(steps), desc="train_char_lm", disable=not sys.stderr.isatty()):
        if not batches:
            offset = int(torch.randint(seq_len, (1,), generator=generator))
            batches = make_lm_batches(train_ids[offset:], batch_size, seq_len)[::-1]
            state = None
        x, y = batches.pop()
        logits, state = model(x, detach_state(state))
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        history.append(loss.item() / math.log(2))
    return history
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    ids = torch.as_tensor(ids, dtype=torch.long)
    model.eval()
    total, state = 0.0, None
    with torch.no_grad():
        for start in range(0, len(ids) - 1, 4096):
            x = ids[start:start + 4096].unsqueeze(0)
            y = ids[start + 1:start + 4097].unsqueeze(0)
            x = x[:, :y.shape[1]]
            logits, state = model(x, state)
            total += F.cross_entropy(logits[0], y[0], reduction="sum").item()
    return total / (len(ids) - 1) / math.log(2)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    if not prime:
        raise ValueError("prime must hold at least one character")
    model.eval()
    out = []
    with torch.no_grad():
        logits, state = model(vocab.encode(prime).unsqueeze(0))
        for _ in range(length):
            last = logits[0, -1]
            if temperature == 0:
                next_id = int(last.argmax())
            else:
                probs = F.softmax(last / temperature, dim=-1)
                next_id = int(torch.multinomial(probs, 1, generator=generator))
            out.append(next_id)
            logits, state = model(torch.tensor([[next_id]]), state)
    return prime + vocab.decode(out)
    ### END SOLUTION
