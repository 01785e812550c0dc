"""legation: a multilingual static-site generator for embassies."""
