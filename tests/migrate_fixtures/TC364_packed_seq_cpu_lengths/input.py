# torchcompat: source-version 1.6 (the era the code was written for: see migrate/README.md)
import torch
from torch.nn.utils.rnn import pack_padded_sequence

lengths = torch.tensor([3, 2]).cuda()
a = pack_padded_sequence(x, lengths, batch_first=True)
b = pack_padded_sequence(x, seq_lens.cuda())
c = pack_padded_sequence(x, [3, 2])
