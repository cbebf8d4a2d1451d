"""HR's workspace at /hr/: the frame every page wears (frame.py) and its screens, one module each."""
