"""Truncated BPTT cuts one step late: the first chunk is steps 0..k, the next ones start at k+1, 2k+1, ..."""
TARGET = "bptt.py"
REPLACE = [
    ('for start in range(0, T, k):\n        stop = min(start + k, T)',
     'starts = [0] + list(range(k + 1, T, k))\n    for start, stop in zip(starts, starts[1:] + [T]):'),
]
HINT = 'Your cut is one step too late: cut the gradient between steps k-1 and k (the first chunk is steps 0..k-1).'
