"""Clustering: deterministic for a seed, numbered by assets, described in words from the centroid."""
import numpy as np
from django.utils import translation

from brokercrm.analytics.engine.clusters import cluster, describe, words


def _customers(seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rich = np.column_stack([rng.normal(16, 0.3, 60), rng.normal(5, 1, 60), rng.normal(0.5, 0.1, 60),
                            rng.normal(6, 0.3, 60), rng.normal(2, 0.5, 60), rng.normal(10, 1, 60)])
    traders = np.column_stack([rng.normal(11, 0.3, 90), rng.normal(150, 10, 90), rng.normal(3, 0.2, 90),
                               rng.normal(8, 0.3, 90), rng.normal(0, 0.2, 90), rng.normal(0, 1, 90)])
    return np.vstack([rich, traders])


def test_the_same_rows_and_seed_give_the_same_clusters():
    """Two runs with seed 42 agree label for label and centroid for centroid."""
    a, b = cluster(_customers(), k=2, seed=42), cluster(_customers(), k=2, seed=42)
    assert a.labels.tolist() == b.labels.tolist()
    assert np.array_equal(a.centroids, b.centroids)


def test_clusters_are_numbered_by_assets_and_find_the_two_groups():
    """The 90 active traders (lower assets) are cluster 1, the 60 wealthy ones cluster 2."""
    result = cluster(_customers(), k=2, seed=42)
    assert result.labels[:60].tolist() == [2] * 60
    assert result.labels[60:].tolist() == [1] * 90


def test_each_cluster_is_described_by_its_strongest_traits():
    """The wealthy cluster has high assets; the traders: many trading days among their traits."""
    result = cluster(_customers(), k=2, seed=42)
    assert ("assets", "high") in result.traits[1]
    assert ("activity", "high") in result.traits[0]


def test_words_for_a_centroid():
    """z-scores beyond ±0.5 become words, strongest first, at most three; none → close to the average."""
    assert describe(np.array([1.2, -0.8, 0.1, 0.0, 0.6, 0.0])) == [("assets", "high"), ("activity", "low"), ("recency", "high")]
    with translation.override("en"):
        assert words([("assets", "high"), ("turnover", "low")]) == "high assets, low turnover"
        assert words([]) == "close to the average on every feature"
