"""Written dates and their ISO form: a small translation task generated offline from a seed.

A source is a date as people write it, in one of several styles that grow from terse to verbose::

    30/11/26   30.11.2026   nov 30, 2026   30 november 2026   monday 30 november 2026
    thirtieth of november 2026   monday, the thirtieth of november 2026

and its target is the same date in ISO form, "2026-11-30". The years run from 1950 to 2049, so a
two-digit year is never ambiguous (00-49 are 20xx, 50-99 are 19xx), and a weekday is always the
true weekday of its date. Longer styles spread the day far from the year, which is what makes a
fixed-size summary of the source (an encoder's last state) harder to decode from.

Both sides are read character by character. Code 0 is padding in both vocabularies; a target
sequence is wrapped in BOS_ID ... EOS_ID for a decoder.

Introduced in lecture 04, section 2 (attention as a soft lookup), where the encoder-decoder's
bottleneck is shown on these pairs; assignment a5_attention trains on them. Everything here is a
part of ``make_date_pairs`` and the encoders of its pairs.

Example:
    pairs = make_date_pairs(3, seed=0)        # [("14.07.1989", "1989-07-14"), ...]
    src, src_lengths = encode_sources([s for s, _ in pairs])
    tgt = encode_targets([t for _, t in pairs])
"""

import datetime

import numpy as np

__all__ = ["PAD_ID", "BOS_ID", "EOS_ID", "SOURCE_VOCAB", "TARGET_VOCAB", "FORMATS", "FIRST_YEAR", "LAST_YEAR",
           "write_date", "make_date_pairs", "encode_sources", "encode_targets", "decode_target"]

PAD_ID = 0   # padding, in both vocabularies
BOS_ID = 1   # the decoder's first input
EOS_ID = 2   # the end of a target
SOURCE_VOCAB = ("<pad>",) + tuple("abcdefghijklmnopqrstuvwxyz0123456789 ,./-")
TARGET_VOCAB = ("<pad>", "<bos>", "<eos>") + tuple("0123456789-")
# The styles, from the tersest to the most verbose.
FORMATS = ("dmy_slash", "dmy_dots", "mdy_short", "dmy_long", "weekday_long", "ordinal", "weekday_ordinal")
FIRST_YEAR = 1950
LAST_YEAR = 2049

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
             "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
             "eighteenth", "nineteenth", "twentieth")
_SOURCE_INDEX = {c: i for i, c in enumerate(SOURCE_VOCAB) if i != PAD_ID}
_TARGET_INDEX = {c: i for i, c in enumerate(TARGET_VOCAB) if i > EOS_ID}


def _ordinal(day):
    """The day of the month as an ordinal word: 1 -> "first", 23 -> "twenty-third", 30 -> "thirtieth"."""
    if day <= 20:
        return _ORDINALS[day - 1]
    tens, ones = divmod(day, 10)
    word = "twenty" if tens == 2 else "thirty"
    return word[:-1] + "ieth" if ones == 0 else f"{word}-{_ORDINALS[ones - 1]}"


def write_date(date, style):
    """Write a date in one of the styles of FORMATS.

    Inputs:
    - date: datetime.date with FIRST_YEAR <= year <= LAST_YEAR.
    - style: str, one of FORMATS.

    Returns:
    - text: str, e.g. "30/11/26", "nov 30, 2026" or "monday, the thirtieth of november 2026".

    Part of ``make_date_pairs``. Introduced in lecture 04, section 2.
    """
    if not FIRST_YEAR <= date.year <= LAST_YEAR:
        raise ValueError(f"years run from {FIRST_YEAR} to {LAST_YEAR}, got {date.year}")
    month, weekday = _MONTHS[date.month - 1], _WEEKDAYS[date.weekday()]
    texts = {
        "dmy_slash": f"{date.day:02d}/{date.month:02d}/{date.year % 100:02d}",
        "dmy_dots": f"{date.day:02d}.{date.month:02d}.{date.year}",
        "mdy_short": f"{month[:3]} {date.day}, {date.year}",
        "dmy_long": f"{date.day} {month} {date.year}",
        "weekday_long": f"{weekday} {date.day} {month} {date.year}",
        "ordinal": f"{_ordinal(date.day)} of {month} {date.year}",
        "weekday_ordinal": f"{weekday}, the {_ordinal(date.day)} of {month} {date.year}",
    }
    if style not in texts:
        raise ValueError(f"style must be one of {', '.join(FORMATS)}, got {style!r}")
    return texts[style]


def make_date_pairs(count, seed, formats=FORMATS):
    """Draw (written date, ISO date) pairs: uniform dates of FIRST_YEAR..LAST_YEAR, uniform styles.

    Inputs:
    - count: int, the number of pairs.
    - seed: int; the same seed gives the same pairs.
    - formats: the styles to draw from (a sequence of names of FORMATS).

    Returns:
    - pairs: list of (source, target) str pairs, e.g. ("nov 30, 2026", "2026-11-30").

    Introduced in lecture 04, section 2 (the encoder-decoder's bottleneck on written dates).
    """
    rng = np.random.default_rng(seed)
    first = datetime.date(FIRST_YEAR, 1, 1).toordinal()
    last = datetime.date(LAST_YEAR, 12, 31).toordinal()
    days = rng.integers(first, last + 1, size=count)
    styles = rng.integers(0, len(formats), size=count)
    pairs = []
    for day, style in zip(days, styles):
        date = datetime.date.fromordinal(int(day))
        pairs.append((write_date(date, formats[int(style)]), date.isoformat()))
    return pairs


def _ids(text, index, vocabulary):
    """The ids of the characters of ``text``; ValueError naming the first one ``index`` lacks."""
    bad = [c for c in text if c not in index]
    if bad:
        raise ValueError(f"character {bad[0]!r} of {text!r} is not in {vocabulary}")
    return [index[c] for c in text]


def _padded(rows, width):
    """Rows of ids as an int64 array (N, width), right-padded with PAD_ID."""
    ids = np.full((len(rows), width), PAD_ID, dtype=np.int64)
    for n, row in enumerate(rows):
        ids[n, :len(row)] = row
    return ids


def encode_sources(sources):
    """Encode written dates as a right-padded batch of character ids.

    Inputs:
    - sources: list of N str over the characters of SOURCE_VOCAB.

    Returns:
    - ids: int64 array (N, S), S the longest source; PAD_ID after each source's last character.
    - lengths: int64 array (N,), the number of characters of each source.

    Part of ``make_date_pairs``. Introduced in lecture 04, section 2.
    """
    rows = [_ids(text, _SOURCE_INDEX, "SOURCE_VOCAB") for text in sources]
    lengths = np.array([len(r) for r in rows], dtype=np.int64)
    return _padded(rows, int(lengths.max()) if len(rows) else 0), lengths


def encode_targets(targets):
    """Encode ISO dates as decoder sequences BOS_ID, characters..., EOS_ID, right-padded.

    Inputs:
    - targets: list of N str over "0123456789-".

    Returns:
    - ids: int64 array (N, T + 2), T the longest target; row n is BOS_ID, its characters, EOS_ID, then PAD_ID.
      A decoder reads ids[:, :-1] and is trained to predict ids[:, 1:].

    Part of ``make_date_pairs``. Introduced in lecture 04, section 2.
    """
    rows = [[BOS_ID] + _ids(text, _TARGET_INDEX, "TARGET_VOCAB") + [EOS_ID] for text in targets]
    return _padded(rows, max((len(r) for r in rows), default=2))


def decode_target(ids):
    """The string a decoder wrote: its characters up to the first EOS_ID (BOS_ID and PAD_ID skipped).

    Inputs:
    - ids: sequence of ints (a list, or an integer array or tensor of shape (T,)).

    Returns:
    - text: str, e.g. "2026-11-30".

    Part of ``make_date_pairs``. Introduced in lecture 04, section 2.
    """
    chars = []
    for i in ids:
        i = int(i)
        if i == EOS_ID:
            break
        if i > EOS_ID and i < len(TARGET_VOCAB):
            chars.append(TARGET_VOCAB[i])
    return "".join(chars)
