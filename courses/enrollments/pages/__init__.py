"""Pages of this domain, one module per audience or screen."""
