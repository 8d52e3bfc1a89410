"""Writes the parity fixtures the Java tests read (common/src/test/resources/parity/*.npz).

Run from the repository root:  /usr/bin/python3 common/python/make_fixtures.py
(needs Debian's python3-torch and python3-numpy: apt-get install python3-torch python3-numpy).

Weights and images are not stored: both sides compute them from hashed_uniform (see stargan_torch.py), so the
files hold only what PyTorch computed: outputs, losses, gradients and parameters after Adam updates.
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stargan_torch import (Discriminator, Generator, hashed_init_, hashed_uniform,  # noqa: E402
                           learnable_items, train_iteration)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'test', 'resources', 'parity')
G_SEED, D_SEED, X_SEED = 11, 22, 33


def images(n, size, iteration):
    return torch.from_numpy(hashed_uniform(n * 3 * size * size, X_SEED + iteration, 0).reshape(n, 3, size, size))


def labels(n, c_dim, multi_label, iteration):
    h = hashed_uniform(n * c_dim, X_SEED + 100 + iteration, 0).reshape(n, c_dim)
    if multi_label:
        return torch.from_numpy((h > 0).astype(np.float32))
    onehot = np.zeros((n, c_dim), dtype=np.float32)
    onehot[np.arange(n), np.argmax(h, axis=1)] = 1
    return torch.from_numpy(onehot)


def step_fixture(name, image_size, g_conv, g_repeat, d_conv, d_repeat, c_dim, batch, multi_label, iterations=2, lambda_id=0.0):
    torch.manual_seed(0)
    G = Generator(g_conv, c_dim, g_repeat)
    D = Discriminator(image_size, d_conv, c_dim, d_repeat)
    hashed_init_(G, G_SEED)
    hashed_init_(D, D_SEED)
    g_opt = torch.optim.Adam(G.parameters(), 1e-4, [0.5, 0.999])
    d_opt = torch.optim.Adam(D.parameters(), 1e-4, [0.5, 0.999])
    out = {'config': np.array([image_size, g_conv, g_repeat, d_conv, d_repeat, c_dim, batch, int(multi_label),
                               iterations, G_SEED, D_SEED, X_SEED], dtype=np.int64)}
    if lambda_id > 0:
        out['lambda_id'] = np.array([lambda_id], dtype=np.float64)
    rng = np.random.default_rng(5)
    for it in range(iterations):
        x = images(batch, image_size, it)
        lab = labels(batch, c_dim, multi_label, it)
        perm = torch.from_numpy(rng.permutation(batch))
        alpha = torch.from_numpy(rng.random((batch, 1, 1, 1), dtype=np.float32))
        out[f'perm_{it}'] = perm.numpy().astype(np.int64)
        out[f'alpha_{it}'] = alpha.numpy().reshape(batch)
        if it == 0:
            with torch.no_grad():
                out['g_out'] = G(x, lab[perm]).numpy()
                src, cls = D(x)
                out['d_src'] = src.numpy()
                out['d_cls'] = cls.numpy()

        def grads(prefix, net):
            if it == 0:
                for k, p in net.named_parameters():
                    out[f'{prefix}/{k}'] = p.grad.detach().numpy().copy()

        losses = train_iteration(G, D, g_opt, d_opt, x, lab, perm, alpha, it, multi_label, n_critic=1,
                                 on_d_grads=lambda: grads('d_grad', D), on_g_grads=lambda: grads('g_grad', G),
                                 lambda_id=lambda_id)
        out[f'losses_{it}'] = np.array(losses, dtype=np.float64)
        for prefix, net in (('d_after', D), ('g_after', G)):
            for k, t in learnable_items(net):
                out[f'{prefix}_{it}/{k}'] = t.detach().numpy().copy()
    path = os.path.join(OUT, name)
    np.savez(path, **out)
    print(f'{path}: {os.path.getsize(path) / 1e6:.2f} MB, losses {out["losses_0"]}')


def paper_forward_fixture(name='paper_forward.npz', batch=2):
    G = Generator(64, 5, 6)
    D = Discriminator(128, 64, 5, 6)
    hashed_init_(G, G_SEED)
    hashed_init_(D, D_SEED)
    x = images(batch, 128, 0)
    c = labels(batch, 5, True, 0)
    c[1, 0] = 0.5  # StarGAN accepts continuous labels
    with torch.no_grad():
        g_out = G(x, c)
        src, cls = D(x)
    path = os.path.join(OUT, name)
    np.savez(path, config=np.array([batch, G_SEED, D_SEED, X_SEED], dtype=np.int64), c=c.numpy(),
             g_out=g_out.numpy(), d_src=src.numpy(), d_cls=cls.numpy())
    print(f'{path}: {os.path.getsize(path) / 1e6:.2f} MB')


def interop_fixtures():
    """Official-format checkpoints (zip and legacy torch.save) of small hashed-weight models, and a translation
    computed by PyTorch from the zip one."""
    G = Generator(4, 3, 1)
    D = Discriminator(16, 4, 3, 2)
    hashed_init_(G, G_SEED)
    hashed_init_(D, D_SEED)
    for name, net in (('tiny-G', G), ('tiny-D', D)):
        torch.save(net.state_dict(), os.path.join(OUT, f'{name}.zip.ckpt'))
        torch.save(net.state_dict(), os.path.join(OUT, f'{name}.legacy.ckpt'), _use_new_zipfile_serialization=False)
    x = images(2, 16, 7)
    c = torch.tensor([[1.0, 0.0, 0.5], [0.0, 1.0, 1.0]])
    with torch.no_grad():
        out = G(x, c)
    np.save(os.path.join(OUT, 'tiny-translate-input.npy'), x.numpy())
    np.savez(os.path.join(OUT, 'tiny-translate.npz'), c=c.numpy(), out=out.numpy())
    print('interop fixtures written')


if __name__ == '__main__':
    torch.set_num_threads(2)
    os.makedirs(OUT, exist_ok=True)
    step_fixture('small_multilabel_step.npz', 32, 8, 2, 8, 4, 5, 4, True)
    step_fixture('tiny_singlelabel_step.npz', 16, 4, 1, 4, 3, 4, 4, False)
    step_fixture('small_identity_step.npz', 32, 8, 2, 8, 4, 5, 4, True, lambda_id=10.0)
    paper_forward_fixture()
    interop_fixtures()
