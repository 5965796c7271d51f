import argparse

import torch
from torch.autograd import Variable

from lmproject.data import Corpus


def sample(checkpoint, corpus, n, temperature=1.0):
    with open(checkpoint, "rb") as f:
        model = torch.load(f)
    model.eval()
    hidden = model.init_hidden(1)
    input = Variable(torch.LongTensor([[corpus.index["t"]]]), volatile=True)
    out = []
    for _ in range(n):
        output, hidden = model(input, hidden)
        weights = output.squeeze().data.div(temperature).exp()
        index = torch.multinomial(weights, 1)[0]
        input.data.fill_(int(index))
        out.append(corpus.chars[int(index)])
    return "".join(out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="sample from a trained model")
    parser.add_argument("--checkpoint", type=str, default="model.pt")
    parser.add_argument("--chars", type=int, default=40)
    args = parser.parse_args()
    torch.manual_seed(0)
    print("SAMPLE " + sample(args.checkpoint, Corpus(), args.chars))
