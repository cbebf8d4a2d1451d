"""Privacy: the registry of personal data every app declares (registry.py), and what is built on it."""
