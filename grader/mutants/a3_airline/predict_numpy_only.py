"""predict converts X with torch.from_numpy, which accepts a numpy array but raises TypeError for a tensor."""
TARGET = "airline.py"
REPLACE = [("return model(torch.as_tensor(X, dtype=torch.float32)).numpy()",
            "return model(torch.from_numpy(X)).numpy()")]
HINT = ("predict fails when X is already a tensor: torch.from_numpy accepts numpy arrays only. The docstring "
        "allows an array or a tensor; torch.as_tensor(X, dtype=torch.float32) takes both.")
