"""Development: a laptop with nothing configured gets SQLite, in-process tasks, a generated key."""

import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env


def _dev_secret_key() -> str:
    """A random key kept in var/ so that sessions survive a restart; never used in production."""
    VAR_DIR.mkdir(exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _dev_secret_key()
DEBUG = env.bool("DEBUG", default=True)

# Serve static files straight from static/ (and the apps), without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
