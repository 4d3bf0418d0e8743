"""train_seq2seq scores the logits against tgt_in (the inputs) instead of tgt_out."""
TARGET = "attention.py"
REPLACE = [
    ("loss = sequence_loss(model(src, src_lengths, tgt_in), tgt_out)",
     "loss = sequence_loss(model(src, src_lengths, tgt_in), tgt_in)"),
]
HINT = ("Your model was trained to repeat the token it is fed: the loss must compare the logits with tgt_out (the target "
        "shifted by one), not tgt_in.")
DIAGNOSIS = False
REASON = "it changes a training run in the worker, whose model the grader cannot reproduce bit for bit"
