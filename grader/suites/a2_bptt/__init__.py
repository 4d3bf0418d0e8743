"""Hidden suite of a2_bptt: BPTT, truncated BPTT, LSTM backward, clipping, the "hello" model."""
