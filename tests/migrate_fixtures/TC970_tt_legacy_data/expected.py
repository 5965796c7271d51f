import torchtext
from torchtext.data import Field, BucketIterator
from torchtext.vocab import build_vocab_from_iterator

TEXT = Field(tokenize="spacy", lower=True)
LABEL = torchtext.data.LabelField()
it = torchtext.legacy.data.BucketIterator(data, batch_size=32)
vocab = build_vocab_from_iterator([["a"]])  # the new API: untouched
