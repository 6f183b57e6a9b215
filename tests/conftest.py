"""Fixtures shared by every test package."""

import pytest

from tests.helpers import free_port


@pytest.fixture
def port() -> int:
    """A free TCP port on 127.0.0.1."""
    return free_port()
