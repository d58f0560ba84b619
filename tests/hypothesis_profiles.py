"""Hypothesis profiles of the property tests (tests/test_fuzz.py), chosen by ``HYPOTHESIS_PROFILE``.

- ``ci`` (the default): a few hundred examples per property, quick enough for every run;
- ``long``: 10,000 examples per property, for a run before a release
  (``HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/test_fuzz.py``).

Neither has a deadline: a slow example is not a failure (the suite has no
timed assertions); only an exception or a broken property is.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILES = {"ci": 300, "long": 10_000}
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]

for _name, _examples in PROFILES.items():
    settings.register_profile(_name, max_examples=_examples, deadline=None, suppress_health_check=_QUIET, print_blob=True)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in PROFILES:
    raise ValueError(f"HYPOTHESIS_PROFILE must be one of {', '.join(PROFILES)}, not {PROFILE!r}")
settings.load_profile(PROFILE)
