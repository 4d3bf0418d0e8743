"""rnn_forward stores its pre-activations and states in np.zeros((N, T, H)), float64 whatever the inputs' dtype."""
TARGET = "bptt.py"
REPLACE = [("a = np.empty((N, T, H), dtype=np.result_type(x, h0, W_ih))", "a = np.zeros((N, T, H))")]
HINT = ("Your hs come back as float64 for float32 inputs: an array made with np.zeros((N, T, H)) (or np.empty) "
        "is float64 unless you say otherwise; give it the inputs' dtype, np.zeros((N, T, H), dtype=x.dtype).")
