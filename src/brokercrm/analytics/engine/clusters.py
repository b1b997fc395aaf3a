"""Clustering (聚类) with scikit-learn: KMeans on standardised features, fixed seed, clusters described in words.

Money features are taken as log(1 + x) before standardising so that a few very large accounts do not
make every other customer one cluster. KMeans is fitted on a seeded sample (at most SAMPLE rows) and
then assigns every customer; cluster numbers run 1…k by the centroid's assets, 1 = the lowest.
"""
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

FEATURES = ("assets", "activity", "turnover", "contribution", "recency", "inflow")
SAMPLE = 100_000
TRAIT_Z = 0.5
TRAIT_WORDS = {
    ("assets", "high"): _("high assets"), ("assets", "low"): _("low assets"),
    ("activity", "high"): _("many trading days"), ("activity", "low"): _("few trading days"),
    ("turnover", "high"): _("high turnover"), ("turnover", "low"): _("low turnover"),
    ("contribution", "high"): _("high net commission"), ("contribution", "low"): _("low net commission"),
    ("recency", "high"): _("long since the last trade"), ("recency", "low"): _("traded recently"),
    ("inflow", "high"): _("net inflow"), ("inflow", "low"): _("net outflow"),
}
FEATURE_LABELS = {
    "assets": _("average daily assets (log)"), "activity": _("trading days"), "turnover": _("turnover (log)"),
    "contribution": _("net commission (log)"), "recency": _("months since the last trade"), "inflow": _("net inflow (signed log)"),
}


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray  # 1…k per row
    centroids: np.ndarray  # k × features, standardised, in cluster-number order
    traits: list[list[tuple[str, str]]]  # per cluster: (feature, "high"/"low"), strongest first


def describe(z_row: np.ndarray) -> list[tuple[str, str]]:
    """The features whose centroid is at least TRAIT_Z standard deviations from the mean, strongest first (≤ 3)."""
    order = sorted(range(len(FEATURES)), key=lambda i: (-abs(z_row[i]), i))
    return [(FEATURES[i], "high" if z_row[i] > 0 else "low") for i in order if abs(z_row[i]) >= TRAIT_Z][:3]


def words(traits: list) -> str:
    """A cluster's traits in the current language, e.g. "high assets, low turnover"."""
    if not traits:
        return str(_("close to the average on every feature"))
    return ", ".join(str(TRAIT_WORDS[(feature, level)]) for feature, level in traits)


def cluster(features: np.ndarray, *, k: int, seed: int) -> Clustering:
    """Deterministic for the same rows, k and seed."""
    n = len(features)
    if n == 0:
        return Clustering(np.zeros(0, dtype=np.int16), np.zeros((0, len(FEATURES))), [])
    k = max(1, min(k, len(np.unique(features, axis=0)) if n <= SAMPLE else k))
    scaler = StandardScaler().fit(features)
    scaled = scaler.transform(features)
    rng = np.random.default_rng(seed)
    sample = scaled if n <= SAMPLE else scaled[np.sort(rng.choice(n, SAMPLE, replace=False))]
    model = KMeans(n_clusters=k, random_state=seed, n_init=4).fit(sample)
    raw = model.predict(scaled)
    order = np.argsort(model.cluster_centers_[:, 0], kind="stable")  # by assets
    number = np.empty(k, dtype=np.int16)
    number[order] = np.arange(1, k + 1, dtype=np.int16)
    centroids = model.cluster_centers_[order]
    return Clustering(number[raw], centroids, [describe(c) for c in centroids])
