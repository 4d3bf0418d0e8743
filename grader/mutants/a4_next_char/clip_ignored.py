"""train_char_lm clips the gradient norm to 1.0 whatever its clip argument says."""
TARGET = "next_char.py"
REPLACE = [("        nn.utils.clip_grad_norm_(model.parameters(), clip)\n        optimizer.step()",
            "        nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n        optimizer.step()")]
HINT = ("train_char_lm ignores its clip argument: pass it on, nn.utils.clip_grad_norm_(model.parameters(), clip), "
        "between backward() and step().")
