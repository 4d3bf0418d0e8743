"""Truncated BPTT cuts one step early: the chunks start at 0, k-1, 2k-1, ..."""
TARGET = "bptt.py"
REPLACE = [
    ('for start in range(0, T, k):\n        stop = min(start + k, T)',
     'starts = sorted({0} | set(range(k - 1, T, k)))\n    for start, stop in zip(starts, starts[1:] + [T]):'),
]
HINT = ('Your cut is one step too early: the first chunk is steps 0..k-1, so the gradient stops between step '
        'k-1 and step k, not between k-2 and k-1.')
