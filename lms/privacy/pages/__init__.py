"""The privacy pages, one module per part."""
