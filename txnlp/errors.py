"""One exception hierarchy. Messages name files, columns and row ids, never comment text."""
from __future__ import annotations


class TxnlpError(Exception):
    """Base class for every error txnlp raises on purpose."""


class ConfigError(TxnlpError, ValueError):
    """The configuration is invalid or names something that does not exist."""


class InputDataError(TxnlpError, ValueError):
    """The input can't be processed as a whole (e.g. the text column is missing)."""


class NotFittedError(TxnlpError, AttributeError):
    """A model stage was used before fit() or load()."""


class ArtifactError(TxnlpError):
    """A model artifact is missing, corrupt, tampered with or from an incompatible version."""


class StageError(TxnlpError):
    """A pipeline stage failed; the message names the stage."""

    def __init__(self, stage: str, message: str):
        super().__init__(f"stage '{stage}': {message}")
        self.stage = stage


class SourceError(TxnlpError):
    """A whole configured source can't be read (database down, folder missing); the others still run.

    `recoverable`: whether the same read may work later unchanged (a database down, a connection
    lost), as opposed to a path or URL that is wrong. The flows retry only recoverable ones; the
    cause is not chained because a database error's message can hold SQL and row values.
    """

    def __init__(self, source: str, message: str, *, recoverable: bool = True):
        super().__init__(f"source '{source}': {message}")
        self.source = source
        self.recoverable = recoverable


class BusyError(TxnlpError):
    """Another run holds the output folder or state store; this one waited and stopped."""
