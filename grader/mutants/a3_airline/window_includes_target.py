"""make_windows shifts each window one step later, so it ends on the value being forecast."""
TARGET = "airline.py"
REPLACE = [
    ('X = np.stack([series[i:i + window] for i in range(n)])',
     'X = np.stack([series[i + 1:i + 1 + window] for i in range(n)])'),
]
