"""Seq2Seq.forward feeds its own argmax after the first step instead of the true previous token."""
TARGET = "attention.py"
REPLACE = [
    ("step_logits, state, _ = self.decode_step(tgt_in[:, t], state, memory, src_mask)",
     "step_logits, state, _ = self.decode_step(tgt_in[:, t] if t == 0 else logits[-1].argmax(dim=-1), state, "
     "memory, src_mask)"),
]
HINT = ("Your forward feeds the model's own predictions: training uses teacher forcing, so step t reads tgt_in[:, t], "
        "the TRUE previous token.")
