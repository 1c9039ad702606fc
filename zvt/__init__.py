"""ZVT's composition root: configuration and the `zvt` command line, wiring engine, web and scheduler."""
