"""The privacy domain's writes, one module per part."""
