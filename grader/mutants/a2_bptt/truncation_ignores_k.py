"""Truncated BPTT never cuts: one chunk over the whole sequence, whatever k is."""
TARGET = "bptt.py"
REPLACE = [
    ('for start in range(0, T, k):\n        stop = min(start + k, T)',
     'for start in (0,):\n        stop = T'),
]
HINT = ('Your gradients equal those of full BPTT: with chunks of k steps no gradient may flow from the first '
        'step of a chunk (k, 2k, ...) back into the state before it.')
