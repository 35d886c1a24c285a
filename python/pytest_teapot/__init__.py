"""pytest-teapot: teapot, the mock HTTP server, as pytest fixtures (docs/pytest.md)."""
from .server import Teapot, TeapotError, TeapotTimeout, Verdict, find_binary

__all__ = ["Teapot", "TeapotError", "TeapotTimeout", "Verdict", "find_binary"]
__version__ = "0.1.0"
