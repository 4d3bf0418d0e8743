"""make_lm_batches uses the inputs as their own targets (y not shifted by one)."""
TARGET = "next_char.py"
REPLACE = [
    ("targets = ids[1:batch_size * row_len + 1].view(batch_size, row_len)",
     "targets = ids[:batch_size * row_len].view(batch_size, row_len)"),
]
HINT = 'y must be the stream shifted by one: y[b, t] = ids[k + 1] where x[b, t] = ids[k]; your y equals x.'
