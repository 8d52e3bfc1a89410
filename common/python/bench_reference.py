"""The same benchmark work as `./stargan bench`, run by PyTorch eager on the same machine.

  python3 bench_reference.py g-forward --config paper --batch 1 [--warmup 3] [--iters 10] [--threads 2]
  python3 bench_reference.py train-step --config small --batch 8 [...]

Prints progress on stderr and a JSON object on the last stdout line, with the keys the Java benchmark prints.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stargan_torch import Discriminator, Generator, train_iteration  # noqa: E402

CONFIGS = {'small': dict(image_size=32, conv_dim=16, g_repeat=2, d_repeat=5),
           'paper': dict(image_size=128, conv_dim=64, g_repeat=6, d_repeat=6)}


def g_forward(cfg, batch, warmup, iters):
    G = Generator(cfg['conv_dim'], 5, cfg['g_repeat'])
    x = torch.rand(batch, 3, cfg['image_size'], cfg['image_size']) * 2 - 1
    c = (torch.rand(batch, 5) > 0.5).float()
    times = []
    with torch.no_grad():
        for i in range(warmup + iters):
            start = time.perf_counter()
            G(x, c)
            end = time.perf_counter()
            if i >= warmup:
                times.append((end - start) * 1000)
            print(f'\rreference g-forward batch {batch}: {i + 1}/{warmup + iters}', end='', file=sys.stderr)
    print(file=sys.stderr)
    med = statistics.median(times)
    return {'ms_per_image': med / batch, 'ms_per_batch': med, 'batch': batch, 'samples': len(times)}


def train_step(cfg, batch, warmup, iters):
    G = Generator(cfg['conv_dim'], 5, cfg['g_repeat'])
    D = Discriminator(cfg['image_size'], cfg['conv_dim'], 5, cfg['d_repeat'])
    g_opt = torch.optim.Adam(G.parameters(), 1e-4, [0.5, 0.999])
    d_opt = torch.optim.Adam(D.parameters(), 1e-4, [0.5, 0.999])
    x = torch.rand(batch, 3, cfg['image_size'], cfg['image_size']) * 2 - 1
    labels = (torch.rand(batch, 5) > 0.5).float()
    d_only, d_plus_g = [], []
    total = 2 * (warmup + iters)
    for it in range(total):
        perm = torch.randperm(batch)
        alpha = torch.rand(batch, 1, 1, 1)
        start = time.perf_counter()
        train_iteration(G, D, g_opt, d_opt, x, labels, perm, alpha, it, True, n_critic=2)
        end = time.perf_counter()
        if it >= 2 * warmup:
            (d_plus_g if it % 2 == 1 else d_only).append((end - start) * 1000)
        print(f'\rreference train-step batch {batch}: {it + 1}/{total}', end='', file=sys.stderr)
    print(file=sys.stderr)
    return {'d_step_ms': statistics.median(d_only), 'd_plus_g_ms': statistics.median(d_plus_g), 'batch': batch,
            'samples': len(d_only)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('what', choices=['g-forward', 'train-step'])
    p.add_argument('--config', choices=sorted(CONFIGS), default='paper')
    p.add_argument('--batch', type=int, default=1)
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--iters', type=int, default=10)
    p.add_argument('--threads', type=int, default=os.cpu_count())
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    fn = g_forward if a.what == 'g-forward' else train_step
    result = fn(CONFIGS[a.config], a.batch, a.warmup, a.iters)
    result.update(config=a.config, threads=torch.get_num_threads(), torch=torch.__version__)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
