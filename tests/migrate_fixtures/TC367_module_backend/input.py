import torch
import torch.nn.functional as F


def embedded_dropout(embed, words, weight):
    padding_idx = embed.padding_idx
    if padding_idx is None:
        padding_idx = -1
    return embed._backend.Embedding.apply(
        words, weight, padding_idx, embed.max_norm, embed.norm_type, embed.scale_grad_by_freq, embed.sparse
    )


a = emb._backend.Embedding.apply(words, emb.weight, -1, None, 2, False, False)
b = emb._backend.Embedding.apply(words, emb.weight, 0, None, 2, False, False)
c = emb._backend.Embedding.apply(words, emb.weight, None, None, 2, False, False)
d = emb._backend.Embedding.apply(words, emb.weight, pad(), None, 2, False, False)  # reported only
e = self.drop._backend.Dropout.apply(x, 0.3, self.training, False)
f = m._backend.Dropout.apply(x)
g = m._backend.Dropout2d.apply(x, p, True)
h = m._backend.Dropout3d.apply(x, 0.2, self.training, True)
i = m._backend.SpatialConvolution.apply(x, w)  # reported only
j = get()._backend.Dropout.apply(x, 0.5, True, False)  # reported only: the module expression has effects
k = self._backend.compile()  # a _backend of the project's own
