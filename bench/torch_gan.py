"""PyTorch reference for the native speed benchmark: our networks and training step, timed in eager PyTorch."""
# Rebuilds, layer for layer, the generator and discriminator of src/model/{mlp,dcgan,discriminator}.rs
# and the generator step of src/lane.rs for two objectives (src/objective/{nonsaturating,wgan_gp}.rs),
# written the way a PyTorch user would write them (eager mode, stock modules and optimizers, autograd's
# double backward for the gradient penalty). bench/native.sh runs it next to our CLI.
#
# Data: the "real" images are random values in [-1, 1], made once on the device as a pool of 9,000
# images (the size of our training split); each discriminator step gathers a fresh batch of 64 from it,
# as our lane gathers from its on-device MNIST tensor. Speed does not depend on the pixel values, and our
# CLI's data handling is just that gather, so this measures the same compute without shipping MNIST.
#
# Prints one JSON line: {"impl": "pytorch", "arch", "objective", "device", "batch", "steps", "seconds",
# "steps_per_s", "torch", "threads", ...}. "steps" counts timed generator steps (warm-up excluded).

import argparse
import json
import os
import time

import torch
import torch.nn.functional as F
from torch import nn

SIDE, PIXELS = 28, 28 * 28
LEAKY = 0.2  # src/model/mod.rs LEAKY_SLOPE
BN_EPS = 1e-5  # src/model/dcgan.rs BN_EPS
WIDTH = 64  # src/model/dcgan.rs WIDTH: channels of the widest feature map
MLP_HIDDEN = (256, 512)  # src/model/mlp.rs HIDDEN
TRAIN_IMAGES = 9000  # our training split (src/cli/mod.rs read_digits)

# Per objective: Adam (lr, betas) as the Rust objective's lr_default and optimizer(); critic steps per
# generator step; whether the discriminator keeps its BatchNorm (WGAN-GP's critic has none).
OBJECTIVES = {
    "nonsaturating": dict(lr=2e-4, betas=(0.5, 0.999), d_steps=1, batchnorm=True),
    "wgan-gp": dict(lr=1e-4, betas=(0.0, 0.9), d_steps=5, batchnorm=False, gp_lambda=10.0),
}
# burn's AdamConfig default epsilon (burn-optim 0.21), which our lane does not override; PyTorch's is 1e-8.
ADAM_EPS = 1e-5


def mlp_generator(latent):
    """latent → 256 → 512 → 784, LeakyReLU(0.2), tanh; reshaped to [n, 1, 28, 28]."""
    h0, h1 = MLP_HIDDEN
    return nn.Sequential(
        nn.Linear(latent, h0), nn.LeakyReLU(LEAKY),
        nn.Linear(h0, h1), nn.LeakyReLU(LEAKY),
        nn.Linear(h1, PIXELS), nn.Tanh(),
        nn.Unflatten(1, (1, SIDE, SIDE)),
    )


def mlp_discriminator():
    """784 → 512 → 256 (LeakyReLU 0.2; the body), then the linear score head 256 → 1."""
    h0, h1 = MLP_HIDDEN
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(PIXELS, h1), nn.LeakyReLU(LEAKY),
        nn.Linear(h1, h0), nn.LeakyReLU(LEAKY),
        nn.Linear(h0, 1),
    )


def dcgan_generator(latent):
    """z as [n, latent, 1, 1] → 7×7×64 (kernel 7) → 14×14×32 → 28×28×1 (kernel 4, stride 2, padding 1);
    BatchNorm + ReLU after the first two, tanh at the end."""
    return nn.Sequential(
        nn.Unflatten(1, (latent, 1, 1)),
        nn.ConvTranspose2d(latent, WIDTH, 7), nn.BatchNorm2d(WIDTH, eps=BN_EPS), nn.ReLU(),
        nn.ConvTranspose2d(WIDTH, WIDTH // 2, 4, 2, 1), nn.BatchNorm2d(WIDTH // 2, eps=BN_EPS), nn.ReLU(),
        nn.ConvTranspose2d(WIDTH // 2, 1, 4, 2, 1), nn.Tanh(),
    )


def dcgan_discriminator(batchnorm):
    """28 → 14 (32 channels, no BatchNorm) → 7 (64 channels, BatchNorm unless a penalised critic),
    LeakyReLU(0.2), flattened 64·7·7 = 3136 features, linear score head → 1."""
    return nn.Sequential(
        nn.Conv2d(1, WIDTH // 2, 4, 2, 1), nn.LeakyReLU(LEAKY),
        nn.Conv2d(WIDTH // 2, WIDTH, 4, 2, 1),
        nn.BatchNorm2d(WIDTH, eps=BN_EPS) if batchnorm else nn.Identity(),
        nn.LeakyReLU(LEAKY),
        nn.Flatten(),
        nn.Linear(WIDTH * 7 * 7, 1),
    )


class Trainer:
    """One lane's worth of state: G, D, their Adam optimizers and the pool of real images."""

    def __init__(self, arch, objective, batch, latent, device):
        self.cfg = OBJECTIVES[objective]
        self.objective, self.batch, self.latent, self.device = objective, batch, latent, device
        if arch == "mlp":
            self.g, self.d = mlp_generator(latent), mlp_discriminator()
        else:
            self.g, self.d = dcgan_generator(latent), dcgan_discriminator(self.cfg["batchnorm"])
        self.g.to(device).train()
        self.d.to(device).train()
        opt = dict(lr=self.cfg["lr"], betas=self.cfg["betas"], eps=ADAM_EPS)
        self.opt_g = torch.optim.Adam(self.g.parameters(), **opt)
        self.opt_d = torch.optim.Adam(self.d.parameters(), **opt)
        self.pool = torch.rand(TRAIN_IMAGES, 1, SIDE, SIDE, device=device) * 2 - 1

    def real(self):
        """A fresh real batch gathered from the on-device pool (our lane: BatchOrder + select)."""
        idx = torch.randint(0, TRAIN_IMAGES, (self.batch,), device=self.device)
        return self.pool[idx]

    def z(self):
        """Fresh standard-normal latents (our lane draws them on the host and uploads them)."""
        return torch.randn(self.batch, self.latent, device=self.device)

    def d_loss(self, real, fake):
        if self.objective == "nonsaturating":
            # L_D = E[softplus(-l(x))] + E[softplus(l(G(z)))] as BCE-with-logits against 1 and 0.
            lr, lf = self.d(real), self.d(fake)
            return (F.binary_cross_entropy_with_logits(lr, torch.ones_like(lr))
                    + F.binary_cross_entropy_with_logits(lf, torch.zeros_like(lf)))
        # WGAN-GP, in our order: penalty at the interpolates first, then f(real), f(fake).
        eps = torch.rand(self.batch, 1, 1, 1, device=self.device)  # one ε ~ U[0, 1] per sample
        mix = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(self.d(mix).sum(), mix, create_graph=True)
        # The 1e-12 offset inside the square root is ours too (wgan_gp.rs gradient_penalty).
        norms = (grad.flatten(1).pow(2).sum(1) + 1e-12).sqrt()
        penalty = (norms - 1).pow(2).mean()
        wasserstein = self.d(real).mean() - self.d(fake).mean()
        return -wasserstein + self.cfg["gp_lambda"] * penalty

    def g_loss(self, fake):
        score = self.d(fake)
        if self.objective == "nonsaturating":
            return F.binary_cross_entropy_with_logits(score, torch.ones_like(score))  # E[softplus(-l(G(z)))]
        return -score.mean()

    def step(self):
        """One generator step as src/lane.rs train_step: d_steps discriminator updates, each on a fresh
        real batch and a fresh z (G run in training mode, its output detached), then one generator update
        on another fresh z. Returns (d_loss, g_loss) tensors of the last updates, still on the device."""
        for _ in range(self.cfg["d_steps"]):
            real, fake = self.real(), self.g(self.z()).detach()
            loss_d = self.d_loss(real, fake)
            self.opt_d.zero_grad()
            loss_d.backward()
            self.opt_d.step()
        # Like our lane (and most PyTorch GAN code) D's parameters also receive gradients here; they
        # are discarded by the next opt_d.zero_grad().
        loss_g = self.g_loss(self.g(self.z()))
        self.opt_g.zero_grad()
        loss_g.backward()
        self.opt_g.step()
        return loss_d.detach(), loss_g.detach()


def sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--arch", choices=["mlp", "dcgan"], default="mlp")
    p.add_argument("--objective", choices=sorted(OBJECTIVES), default="nonsaturating")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--latent", type=int, default=64, help="latent size (src/config.rs default 64)")
    p.add_argument("--steps", type=int, default=100, help="timed generator steps")
    p.add_argument("--warmup", type=int, default=5, help="untimed generator steps before the clock starts")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="torch.set_num_threads (default: all cores)")
    p.add_argument("--read-losses", type=int, choices=[0, 1], default=1,
                   help="1: copy both losses to the host after every step, as our CLI does for metrics.jsonl "
                        "(a device sync per step on CUDA); 0: never")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    if a.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("torch_gan.py: --device cuda but torch.cuda.is_available() is False")

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    trainer = Trainer(a.arch, a.objective, a.batch, a.latent, a.device)

    def run(n):
        for _ in range(n):
            d, g = trainer.step()
            if a.read_losses:
                d.item(), g.item()

    run(a.warmup)
    sync(a.device)
    start = time.perf_counter()
    run(a.steps)
    sync(a.device)
    seconds = time.perf_counter() - start

    out = {
        "impl": "pytorch", "arch": a.arch, "objective": a.objective, "device": a.device, "batch": a.batch,
        "steps": a.steps, "seconds": round(seconds, 4), "steps_per_s": round(a.steps / seconds, 3),
        "torch": torch.__version__, "threads": torch.get_num_threads(), "warmup": a.warmup,
        "read_losses": a.read_losses,
    }
    if a.device == "cuda":
        out["gpu"] = torch.cuda.get_device_name()
        # PyTorch's defaults, left as they are: TF32 in cuDNN convolutions on, in matmuls off.
        out["tf32_conv"] = torch.backends.cudnn.allow_tf32
        out["tf32_matmul"] = torch.backends.cuda.matmul.allow_tf32
    print(json.dumps(out))


if __name__ == "__main__":
    main()
