"""What other apps may use of the product and research library: suitability, product sales; plain values and
dataclasses only."""
