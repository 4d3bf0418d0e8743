"""Hidden suite of a4_next_char: the alphabet LSTM and the character language model."""
