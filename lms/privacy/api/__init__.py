"""The privacy API's views, one module per part."""
