"""detach_state detaches h of an LSTM state (h, c) but hands back c with its graph."""
TARGET = "next_char.py"
REPLACE = [("return tuple(s.detach() for s in state)", "return (state[0].detach(), state[1])")]
HINT = ("detach_state left the cell state c of an LSTM's (h, c) attached to its graph: detach every tensor of the "
        "tuple, tuple(s.detach() for s in state).")
