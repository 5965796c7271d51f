from torch.autograd import Variable


def embedded_dropout(embed, words, dropout=0.1):
    """Drop whole words (rows of the embedding matrix), 2017 style: through the module's backend."""
    weight = embed.weight
    if dropout:
        keep = weight.data.new(weight.size(0), 1).bernoulli_(1 - dropout) / (1 - dropout)
        weight = Variable(keep.expand_as(weight.data)) * embed.weight
    padding_idx = embed.padding_idx
    if padding_idx is None:
        padding_idx = -1
    return embed._backend.Embedding.apply(
        words, weight, padding_idx, embed.max_norm, embed.norm_type, embed.scale_grad_by_freq, embed.sparse
    )
