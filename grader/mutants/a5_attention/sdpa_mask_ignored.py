"""scaled_dot_product_attention ignores the mask argument: queries attend padding."""
TARGET = "attention.py"
REPLACE = [
    ("        allowed = allowed & torch.as_tensor(mask, dtype=torch.bool, device=q.device)\n",
     "        allowed = allowed\n"),
]
HINT = ("Your attention gives weight to masked keys (padding): combine the mask with the causal mask "
        "(allowed = allowed & mask) before the softmax.")
