"""The errors the library raises for bad input; the CLI turns each into one line on stderr."""


class ConfigError(Exception):
    """A configuration problem, phrased for the person who wrote the file."""


class ArchiveError(Exception):
    """Something in the archive is missing, unreadable or inconsistent."""


class ArchiveLocked(ArchiveError):
    """Another run holds the archive's lock."""


class RefError(ArchiveError):
    """A snapshot ref that names nothing in the archive. `unknown` names a policy id the
    archive holds no snapshot of (the CLI words it for a configured policy, or suggests ids)."""

    def __init__(self, message: str, *, ref: str = "", unknown: str = "") -> None:
        super().__init__(message)
        self.ref = ref
        self.unknown = unknown
