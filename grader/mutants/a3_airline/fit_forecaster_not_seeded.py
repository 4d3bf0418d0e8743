"""fit_forecaster never calls torch.manual_seed(seed): two forecasters fitted with the same seed differ."""
TARGET = "airline.py"
REPLACE = [("    torch.manual_seed(seed)\n", "")]
HINT = ("Two forecasters from fit_forecaster(train, seed=0) forecast differently: call torch.manual_seed(seed) at "
        "the start of fit_forecaster, before building the model (and seed numpy too if you draw from it), so the "
        "seed decides the weights and the batch order.")
