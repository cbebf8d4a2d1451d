"""The privacy domain's reads, one module per part."""
