"""``torch.contrib``: a package PyTorch ships empty in its CPU build; here for its import path."""
