"""How good a GAN's drawings are: a Fréchet distance in pixel space, without a pretrained network."""

from __future__ import annotations


def frechet_distance(a, b) -> float:
    """Fréchet distance between Gaussians fitted to the rows of ``a`` and ``b``."""
    import warnings

    import numpy as np
    from scipy import linalg

    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    with warnings.catch_warnings():
        # a singular covariance (blank or collapsed drawings) makes sqrtm warn; nudge it as FID code does
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        root = linalg.sqrtm(cov_a @ cov_b)
        if not np.isfinite(root).all():
            offset = 1e-6 * np.eye(len(cov_a))
            root = linalg.sqrtm((cov_a + offset) @ (cov_b + offset))
    root = root.real  # sqrtm leaves tiny imaginary parts from rounding
    return float(((mean_a - mean_b) ** 2).sum() + np.trace(cov_a + cov_b - 2.0 * root))


class PixelFrechetDistance:
    """An FID-like figure without a pretrained network: the Fréchet distance between real and
    generated drawings in the space of the real drawings' first ``n_components`` principal
    components (of their 784 pixels in [0, 1]).

    Lower is better; ``reference()`` gives the distance between two disjoint sets of real
    drawings of the same size (the floor set by sampling noise), so a run reports both.
    """

    def __init__(self, real, n_components: int = 32, n_samples: int = 1000, seed: int = 0):
        import numpy as np
        from sklearn.decomposition import PCA

        real = np.asarray(real, dtype=np.float32).reshape(len(real), -1)
        if real.max() > 1.0:
            real = real / 255.0
        # two disjoint real sets of n_samples each, and more drawings than components in each
        self.n_samples = min(n_samples, len(real) // 2)
        if self.n_samples <= n_components:
            raise ValueError(f"PixelFrechetDistance needs at least {2 * (n_components + 1)} real drawings, got {len(real)}")
        real = real[np.random.default_rng(seed).permutation(len(real))]
        self.pca = PCA(n_components=n_components, random_state=seed).fit(real)
        self.real_a = self.pca.transform(real[: self.n_samples])
        self.real_b = self.pca.transform(real[self.n_samples: 2 * self.n_samples])

    def __call__(self, generated) -> float:
        import numpy as np

        generated = np.asarray(generated, dtype=np.float32).reshape(len(generated), -1)[: self.n_samples]
        return frechet_distance(self.real_a, self.pca.transform(generated))

    def reference(self) -> float:
        return frechet_distance(self.real_a, self.real_b)


def pixel_fd_over_draws(generator, quality: PixelFrechetDistance, draws: int = 8, first_seed: int = 100) -> dict:
    """``quality``'s figure for ``generator``'s drawings from each of ``draws`` fixed noise
    draws (NumPy ``default_rng(first_seed + k).uniform(-1, 1)``, ``quality.n_samples`` vectors
    each): their mean, least and greatest. One draw's figure moves by about 10% from draw to draw;
    two generators on the same draws compare the generators, not the draws' luck."""
    import numpy as np

    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ValueError(f"draws={draws!r} is invalid: expected an integer >= 1")
    z_dim = int(generator.input_shape[-1])

    def noise(k):
        return np.random.default_rng(first_seed + k).uniform(-1.0, 1.0, (quality.n_samples, z_dim)).astype("float32")

    figures = [quality(generator.predict(noise(k), batch_size=256, verbose=0)) for k in range(draws)]
    return {"mean": round(float(np.mean(figures)), 3), "min": round(float(np.min(figures)), 3),
            "max": round(float(np.max(figures)), 3), "draws": draws,
            "noise": f"numpy default_rng({first_seed} + k).uniform(-1, 1), k = 0..{draws - 1}"}
