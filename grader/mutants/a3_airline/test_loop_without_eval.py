"""test_loop forgets model.eval(), so dropout stays on while evaluating."""
TARGET = "airline.py"
REPLACE = [
    ('    model.eval()\n    total, count = 0.0, 0\n    with torch.no_grad():',
     '    total, count = 0.0, 0\n    with torch.no_grad():'),
]
HINT = 'Call model.eval() at the start of test_loop: dropout (and similar layers) must be off when evaluating.'
