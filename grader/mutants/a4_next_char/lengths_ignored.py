"""AlphabetLSTM runs the LSTM over the padded batch and reads the state after the padding."""
TARGET = "next_char.py"
REPLACE = [
    ("""packed = pack_padded_sequence(self.embed(padded), lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)""",
     "packed = self.embed(padded)"),
]
HINT = ('The padding changed the prediction. Pack the embedded batch with pack_padded_sequence(..., lengths, '
        "batch_first=True, enforce_sorted=False) and read h_n, the state after each row's last real letter.")
