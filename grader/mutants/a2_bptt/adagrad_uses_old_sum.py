"""Adagrad divides by the running sum BEFORE adding the current g**2."""
TARGET = "bptt.py"
REPLACE = [
    ("lr * grads[name] / (np.sqrt(new_sq[name]) + eps)", "lr * grads[name] / (np.sqrt(sq_sums[name]) + eps)"),
]
HINT = ('You divide by the running sum from before this step: update s <- s + g**2 FIRST, then p <- p - lr * '
        'g / (sqrt(s) + eps) with the new s.')
