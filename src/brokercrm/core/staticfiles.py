"""Static files in production: WhiteNoise's compressed storage under content-hashed names."""
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Vendored files name source maps we do not ship, so only CSS `url()` and `@import` references are rewritten."""

    patterns = (("*.css", tuple(p for p in CompressedManifestStaticFilesStorage.patterns[0][1] if "sourceMappingURL" not in str(p))),)
