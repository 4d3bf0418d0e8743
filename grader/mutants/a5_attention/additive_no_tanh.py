"""AdditiveAttention scores without the tanh."""
TARGET = "attention.py"
REPLACE = [
    ("scores = self.v(torch.tanh(self.W_q(query).unsqueeze(1) + self.W_k(keys))).squeeze(-1)",
     "scores = self.v(self.W_q(query).unsqueeze(1) + self.W_k(keys)).squeeze(-1)"),
]
HINT = "Your additive scores miss the tanh: score = v . tanh(W_q q + W_k k)."
