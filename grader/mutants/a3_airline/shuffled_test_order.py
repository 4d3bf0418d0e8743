"""forecast shuffles the test windows, so the forecasts come back in the wrong time order."""
TARGET = "airline.py"
REPLACE = [
    ('test_loader = DataLoader(test_set, batch_size=32, shuffle=False)',
     'test_loader = DataLoader(test_set, batch_size=32, shuffle=True)'),
]
