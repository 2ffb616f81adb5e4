"""The same ISO formats as English (trialsite/formats/en): 2026-12-01, 24-hour times."""

from trialsite.formats.en.formats import *  # noqa: F403 (the same formats, by design)
