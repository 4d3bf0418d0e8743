"""Encoder runs the GRU over the padding: the final state is the one after the last PAD."""
TARGET = "attention.py"
REPLACE = [
    ("packed = pack_padded_sequence(self.embed(src), src_lengths.cpu(), batch_first=True, enforce_sorted=False)",
     "packed = self.embed(src)"),
    ("memory, _ = pad_packed_sequence(outputs, batch_first=True, total_length=src.shape[1])", "memory = outputs"),
]
HINT = ("Your encoder reads the padding: the final state of a short row is the state after its last PAD, and memory "
        "is not 0 at padding. Pack the batch with pack_padded_sequence(..., src_lengths.cpu(), batch_first=True, "
        "enforce_sorted=False) and unpack with pad_packed_sequence(..., total_length=S).")
