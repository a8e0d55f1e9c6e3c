"""Building blocks: attention, FFN, MLP, position encodings, point sampling."""
