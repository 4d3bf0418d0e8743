"""make_lm_batches cuts consecutive chunks into each batch, so row b does not continue row b."""
TARGET = "next_char.py"
REPLACE = [
    ("""    return [(inputs[:, t:t + seq_len], targets[:, t:t + seq_len])
            for t in range(0, row_len - seq_len + 1, seq_len)]""",
     """    size = batch_size * seq_len
    return [(ids[s:s + size].view(batch_size, seq_len), ids[s + 1:s + size + 1].view(batch_size, seq_len))
            for s in range(0, batch_size * (row_len - seq_len + 1), size)]"""),
]
HINT = ('Row b of a batch must continue row b of the batch before: cut the stream into batch_size long rows '
        'first (ids[:N * L].view(N, L)), then take seq_len columns at a time.')
