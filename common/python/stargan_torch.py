"""StarGAN in PyTorch, written from the paper's description and the official code's layout.

This is the reference the Java implementation is checked against (parity fixtures) and timed against
(benchmarks). Parameter names equal the official state_dict keys.

Needs only Debian's python3-torch and python3-numpy.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class ResidualBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(dim, dim, kernel_size=3, stride=1, padding=1, bias=False),
            nn.InstanceNorm2d(dim, affine=True, track_running_stats=True),
            nn.ReLU(inplace=True),
            nn.Conv2d(dim, dim, kernel_size=3, stride=1, padding=1, bias=False),
            nn.InstanceNorm2d(dim, affine=True, track_running_stats=True))

    def forward(self, x):
        return x + self.main(x)


class Generator(nn.Module):
    def __init__(self, conv_dim=64, c_dim=5, repeat_num=6):
        super().__init__()
        layers = [nn.Conv2d(3 + c_dim, conv_dim, kernel_size=7, stride=1, padding=3, bias=False),
                  nn.InstanceNorm2d(conv_dim, affine=True, track_running_stats=True),
                  nn.ReLU(inplace=True)]
        curr = conv_dim
        for _ in range(2):
            layers += [nn.Conv2d(curr, curr * 2, kernel_size=4, stride=2, padding=1, bias=False),
                       nn.InstanceNorm2d(curr * 2, affine=True, track_running_stats=True),
                       nn.ReLU(inplace=True)]
            curr *= 2
        for _ in range(repeat_num):
            layers.append(ResidualBlock(curr))
        for _ in range(2):
            layers += [nn.ConvTranspose2d(curr, curr // 2, kernel_size=4, stride=2, padding=1, bias=False),
                       nn.InstanceNorm2d(curr // 2, affine=True, track_running_stats=True),
                       nn.ReLU(inplace=True)]
            curr //= 2
        layers += [nn.Conv2d(curr, 3, kernel_size=7, stride=1, padding=3, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def forward(self, x, c):
        c = c.view(c.size(0), c.size(1), 1, 1).repeat(1, 1, x.size(2), x.size(3))
        return self.main(torch.cat([x, c], dim=1))


class Discriminator(nn.Module):
    def __init__(self, image_size=128, conv_dim=64, c_dim=5, repeat_num=6):
        super().__init__()
        layers = [nn.Conv2d(3, conv_dim, kernel_size=4, stride=2, padding=1), nn.LeakyReLU(0.01)]
        curr = conv_dim
        for _ in range(1, repeat_num):
            layers += [nn.Conv2d(curr, curr * 2, kernel_size=4, stride=2, padding=1), nn.LeakyReLU(0.01)]
            curr *= 2
        k = image_size // 2 ** repeat_num
        self.main = nn.Sequential(*layers)
        self.conv1 = nn.Conv2d(curr, 1, kernel_size=3, stride=1, padding=1, bias=False)
        self.conv2 = nn.Conv2d(curr, c_dim, kernel_size=k, bias=False)

    def forward(self, x):
        h = self.main(x)
        out_src = self.conv1(h)
        out_cls = self.conv2(h)
        return out_src, out_cls.view(out_cls.size(0), out_cls.size(1))


def hashed_uniform(count, seed, offset):
    """count float32 values in [-1, 1): the murmur3 finaliser of (index + seed·0x9E3779B9), top 24 bits.

    Java computes the same bits (HashedWeights in the tests), so large weight sets need no fixture file.
    """
    m = np.uint64(0xFFFFFFFF)
    x = (np.arange(offset, offset + count, dtype=np.uint64) + np.uint64((seed * 0x9E3779B9) & 0xFFFFFFFF)) & m
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & m
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & m
    x ^= x >> np.uint64(16)
    u = (x >> np.uint64(8)).astype(np.float32) / np.float32(16777216.0)
    return u * np.float32(2) - np.float32(1)


def learnable_items(module):
    sd = module.state_dict()
    return [(k, v) for k, v in sd.items()
            if not (k.endswith('running_mean') or k.endswith('running_var') or k.endswith('num_batches_tracked'))]


def hashed_init_(module, seed):
    """Deterministic weights: conv weights/biases bound·h with PyTorch's bound 1/sqrt(fan_in),
    instance-norm weights 1 + h/4 and biases h/4; tensors in state_dict order share one index stream."""
    sd = dict(learnable_items(module))
    offset = 0
    with torch.no_grad():
        for key, t in learnable_items(module):
            h = hashed_uniform(t.numel(), seed, offset).reshape(tuple(t.shape))
            offset += t.numel()
            if t.dim() == 4:
                v = np.float32(1.0 / np.sqrt(t.shape[1] * t.shape[2] * t.shape[3])) * h
            elif key.endswith('.bias') and sd.get(key[:-5] + '.weight') is not None and sd[key[:-5] + '.weight'].dim() == 4:
                w = sd[key[:-5] + '.weight']
                v = np.float32(1.0 / np.sqrt(w.shape[1] * w.shape[2] * w.shape[3])) * h
            elif key.endswith('.weight'):
                v = np.float32(1) + np.float32(0.25) * h
            else:
                v = np.float32(0.25) * h
            t.copy_(torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)))


def gradient_penalty(y, x):
    """The official WGAN-GP term: mean((||dy/dx||_2 - 1)^2)."""
    weight = torch.ones(y.size())
    dydx = torch.autograd.grad(outputs=y, inputs=x, grad_outputs=weight,
                               retain_graph=True, create_graph=True, only_inputs=True)[0]
    dydx = dydx.view(dydx.size(0), -1)
    dydx_l2norm = torch.sqrt(torch.sum(dydx ** 2, dim=1))
    return torch.mean((dydx_l2norm - 1) ** 2)


def classification_loss(logit, target, multi_label):
    if multi_label:
        return F.binary_cross_entropy_with_logits(logit, target, reduction='sum') / logit.size(0)
    return F.cross_entropy(logit, target.argmax(dim=1))


def train_iteration(G, D, g_opt, d_opt, x_real, label_org, perm, alpha, i, multi_label,
                    n_critic=5, lambda_cls=1.0, lambda_rec=10.0, lambda_gp=10.0, on_d_grads=None, on_g_grads=None,
                    lambda_id=0.0):
    """One iteration of the official solver.train, with the random permutation and alpha given.

    lambda_id > 0 adds the project's optional identity term lambda_id * mean|x_real - G(x_real, c_org)| to G's loss
    (not in the official code) and appends its value to the losses.
    """
    label_trg = label_org[perm]
    c_org, c_trg = label_org.clone(), label_trg.clone()

    out_src, out_cls = D(x_real)
    d_loss_real = -torch.mean(out_src)
    d_loss_cls = classification_loss(out_cls, label_org, multi_label)
    x_fake = G(x_real, c_trg)
    out_src, out_cls = D(x_fake.detach())
    d_loss_fake = torch.mean(out_src)
    x_hat = (alpha * x_real.data + (1 - alpha) * x_fake.data).requires_grad_(True)
    out_src, _ = D(x_hat)
    d_loss_gp = gradient_penalty(out_src, x_hat)
    d_loss = d_loss_real + d_loss_fake + lambda_cls * d_loss_cls + lambda_gp * d_loss_gp
    g_opt.zero_grad()
    d_opt.zero_grad()
    d_loss.backward()
    if on_d_grads:
        on_d_grads()
    d_opt.step()
    losses = [d_loss_real.item(), d_loss_fake.item(), d_loss_cls.item(), d_loss_gp.item()]

    if (i + 1) % n_critic == 0:
        x_fake = G(x_real, c_trg)
        out_src, out_cls = D(x_fake)
        g_loss_fake = -torch.mean(out_src)
        g_loss_cls = classification_loss(out_cls, label_trg, multi_label)
        x_reconst = G(x_fake, c_org)
        g_loss_rec = torch.mean(torch.abs(x_real - x_reconst))
        g_loss = g_loss_fake + lambda_rec * g_loss_rec + lambda_cls * g_loss_cls
        if lambda_id > 0:
            g_loss_id = torch.mean(torch.abs(x_real - G(x_real, c_org)))
            g_loss = g_loss + lambda_id * g_loss_id
        g_opt.zero_grad()
        d_opt.zero_grad()
        g_loss.backward()
        if on_g_grads:
            on_g_grads()
        g_opt.step()
        losses += [g_loss_fake.item(), g_loss_rec.item(), g_loss_cls.item()]
        if lambda_id > 0:
            losses.append(g_loss_id.item())
    else:
        losses += [float('nan')] * (4 if lambda_id > 0 else 3)
    return losses
