"""A character-level language model in the style of 2017 PyTorch projects (0.3 idioms on purpose)."""
