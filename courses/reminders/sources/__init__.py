"""One module per kind of reminder; every module here is imported by the registry."""
