"""Hypothesis draws the same examples on every run (``derandomize``): a CI run
cannot fail on a draw no earlier run saw. ``HYPOTHESIS_PROFILE=explore`` draws
fresh ones, for looking for new failures."""

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
