import torch

TEXT = (
    "the quick brown fox jumps over the lazy dog. "
    "a stitch in time saves nine. "
    "all that glitters is not gold. "
) * 8


class Corpus(object):
    def __init__(self, text=TEXT):
        self.chars = sorted(set(text))
        self.index = dict((c, i) for i, c in enumerate(self.chars))
        self.ids = torch.LongTensor([self.index[c] for c in text])

    def __len__(self):
        return len(self.chars)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()
