"""The ``councilgraph`` command line."""
