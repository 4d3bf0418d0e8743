"""char_rnn_loss returns hs[-1] (the last sequence of the batch, all steps) as h_last instead of hs[:, -1]."""
TARGET = "bptt.py"
REPLACE = [("return loss, grads, hs[:, -1]", "return loss, grads, hs[-1]")]
HINT = ("h_last must be the state after the LAST time step of every sequence, hs[:, -1] of shape (N, H); hs[-1] "
        "is the last sequence of the batch, of shape (T, H).")
