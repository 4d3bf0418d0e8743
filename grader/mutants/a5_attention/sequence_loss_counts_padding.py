"""sequence_loss averages over PAD positions too."""
TARGET = "attention.py"
REPLACE = [
    ("return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1), ignore_index=PAD)",
     "return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1))"),
]
HINT = "Your loss counts the PAD positions after EOS: pass ignore_index=PAD to F.cross_entropy."
