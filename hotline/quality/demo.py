"""Demo data for this app; called by `hotline demo` after tickets and calls exist."""

from __future__ import annotations


def load_demo(*, seed: int = 12345) -> None:
    return None
