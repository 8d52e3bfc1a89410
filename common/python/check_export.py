"""Loads a state dict written by the Java export into the official-architecture model with strict=True and checks
every learnable tensor against the hashed weights the Java test exported.

  python3 check_export.py G <conv_dim> <c_dim> <repeat_num> <seed> FILE
  python3 check_export.py D <image_size> <conv_dim> <c_dim> <repeat_num> <seed> FILE

Prints 'OK <n> tensors' and exits 0 when the load succeeds and every tensor is identical.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stargan_torch import Discriminator, Generator, hashed_init_, learnable_items  # noqa: E402


def main():
    kind = sys.argv[1]
    if kind == 'G':
        conv, c_dim, repeat, seed, path = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
        model, reference = Generator(conv, c_dim, repeat), Generator(conv, c_dim, repeat)
    else:
        size, conv, c_dim, repeat, seed = (int(a) for a in sys.argv[2:7])
        path = sys.argv[7]
        model, reference = Discriminator(size, conv, c_dim, repeat), Discriminator(size, conv, c_dim, repeat)
    hashed_init_(reference, seed)
    state = torch.load(path, map_location='cpu')
    model.load_state_dict(state, strict=True)
    ref = dict(learnable_items(reference))
    n = 0
    for key, t in learnable_items(model):
        if not torch.equal(t, ref[key]):
            print(f'MISMATCH {key}: max |diff| {(t - ref[key]).abs().max().item()}')
            sys.exit(1)
        n += 1
    print(f'OK {n} tensors')


if __name__ == '__main__':
    main()
