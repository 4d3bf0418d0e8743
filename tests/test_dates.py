"""rnnutils.dates: seeded written dates, their ISO targets, and the encoders of a5_attention's batches."""

import datetime
import re

import numpy as np
import pytest

from rnnutils.dates import BOS_ID as BOS, EOS_ID as EOS, PAD_ID as PAD
from rnnutils.dates import (FORMATS, SOURCE_VOCAB, TARGET_VOCAB, decode_target, encode_sources, encode_targets,
                            make_date_pairs, write_date)


def test_the_same_seed_gives_the_same_pairs_and_another_seed_others():
    assert make_date_pairs(50, seed=3) == make_date_pairs(50, seed=3)
    assert make_date_pairs(50, seed=3) != make_date_pairs(50, seed=4)


def test_every_source_reads_back_to_its_target():
    # The source is parsed back here independently of the generator: day, month and year, and the weekday.
    months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december"]
    words = {w: i + 1 for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
        "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split())}
    words.update({"twenty-" + w: 20 + d for w, d in list(words.items())[:9]})
    words.update({"thirtieth": 30, "thirty-first": 31})
    for source, target in make_date_pairs(3000, seed=1):
        date = datetime.date.fromisoformat(target)
        assert 1950 <= date.year <= 2049
        if m := re.fullmatch(r"(\d\d)/(\d\d)/(\d\d)", source):
            day, month, yy = map(int, m.groups())
            year = 2000 + yy if yy < 50 else 1900 + yy
        elif m := re.fullmatch(r"(\d\d)\.(\d\d)\.(\d{4})", source):
            day, month, year = map(int, m.groups())
        elif m := re.fullmatch(r"([a-z]{3}) (\d+), (\d{4})", source):
            month = [n[:3] for n in months].index(m[1]) + 1
            day, year = int(m[2]), int(m[3])
        else:
            weekdays = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
            m = re.fullmatch(rf"(?:({weekdays}),? )?(?:the )?(\S+?)(?: of)? ([a-z]+) (\d{{4}})", source)
            assert m, source
            weekday, day_text, month_name, year = m[1], m[2], m[3], int(m[4])
            day = int(day_text) if day_text.isdigit() else words[day_text]
            month = months.index(month_name) + 1
            if weekday:
                assert weekday == date.strftime("%A").lower(), source
        assert datetime.date(year, month, day) == date, (source, target)


def test_styles_grow_longer_and_all_are_drawn():
    date = datetime.date(2026, 11, 30)
    texts = [write_date(date, style) for style in FORMATS]
    assert texts[0] == "30/11/26" and texts[2] == "nov 30, 2026"
    assert texts[-1] == "monday, the thirtieth of november 2026"
    assert [len(t) for t in texts] == sorted(len(t) for t in texts)
    pairs = make_date_pairs(700, seed=0)
    lengths = [len(s) for s, _ in pairs]
    assert min(lengths) == 8 and 40 <= max(lengths) <= 48
    only = make_date_pairs(20, seed=0, formats=("ordinal",))
    assert all(" of " in s for s, _ in only)
    with pytest.raises(ValueError, match="style"):
        write_date(date, "roman")


def test_encoders_pad_on_the_right_and_decode_stops_at_eos():
    ids, lengths = encode_sources(["30/11/26", "ab"])
    assert ids.dtype == np.int64 and ids.shape == (2, 8) and lengths.tolist() == [8, 2]
    assert "".join(SOURCE_VOCAB[i] for i in ids[0]) == "30/11/26"
    assert ids[1, 2:].tolist() == [PAD] * 6
    tgt = encode_targets(["2026-11-30", "1999-01-02"])
    assert tgt.shape == (2, 12) and tgt[:, 0].tolist() == [BOS, BOS] and tgt[:, -1].tolist() == [EOS, EOS]
    assert decode_target(tgt[0]) == "2026-11-30"
    assert decode_target([BOS, TARGET_VOCAB.index("7"), EOS, TARGET_VOCAB.index("1")]) == "7"
    with pytest.raises(ValueError, match="'X'"):
        encode_sources(["X"])
