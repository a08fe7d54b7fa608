from __future__ import annotations

import pytest

import htmlguard as hg


@pytest.fixture(params=hg.PRESETS)
def preset(request: pytest.FixtureRequest) -> hg.Policy:
    return hg.Policy.preset(request.param)
