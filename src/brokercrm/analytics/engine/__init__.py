"""Pure segmentation calculations (tiers, RFM, clusters) and the vectorised build over the published marts."""
