"""txnlp: multilingual Total-Experience feedback mining."""
from __future__ import annotations

__version__ = "0.1.0"

from txnlp.config import Settings, load_settings  # noqa: E402

__all__ = ["Settings", "load_settings", "run", "__version__"]


def run(*args, **kwargs):
    """Run the whole pipeline on a DataFrame or input files, from any folder; see txnlp.runner.run.

    Example:
        >>> result = txnlp.run(frame)            # doctest: +SKIP
        >>> result.shared_pain_points.head()     # doctest: +SKIP
    """
    from txnlp.runner import run as _run

    return _run(*args, **kwargs)
