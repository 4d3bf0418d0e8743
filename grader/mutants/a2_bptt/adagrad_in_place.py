"""adagrad_step updates params and sq_sums in place (+= / -=) and returns the same dicts."""
TARGET = "bptt.py"
REPLACE = [
    ("""    new_sq = {name: sq_sums[name] + grads[name] ** 2 for name in params}
    new_params = {name: params[name] - lr * grads[name] / (np.sqrt(new_sq[name]) + eps)
                  for name in params}
    return new_params, new_sq""",
     """    for name in params:
        sq_sums[name] += grads[name] ** 2
        params[name] -= lr * grads[name] / (np.sqrt(sq_sums[name]) + eps)
    return params, sq_sums"""),
]
HINT = ("Your adagrad_step changes the dicts (or arrays) it was given: += and -= write into the caller's arrays. "
        "Build new ones, new_sq[name] = sq_sums[name] + g ** 2 and new_params[name] = params[name] - ..., and "
        "return those.")
