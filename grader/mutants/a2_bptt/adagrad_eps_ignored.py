"""adagrad_step ignores its eps argument and always adds 1e-10."""
TARGET = "bptt.py"
REPLACE = [
    ("lr * grads[name] / (np.sqrt(new_sq[name]) + eps)", "lr * grads[name] / (np.sqrt(new_sq[name]) + 1e-10)"),
]
HINT = "Your adagrad_step ignores the eps it is given: use the argument eps in the denominator, sqrt(s) + eps."
