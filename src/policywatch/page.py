"""A policy's page: what fetch.py or browser.py got for one URL, and what derivation reads.

One type from the network to the archive: the pages of a several-page policy are kept in its
raw record (pages.py) as these same fields, and read back as Pages by `reextract`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Page:
    """One page as a server sent it, or as a browser rendered it: what derivation reads."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    rendered: bool = False  # the DOM after a browser ran the page's scripts

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None

    def to_record(self) -> dict[str, Any]:
        """The page as JSON data (its body in base64), for a several-page policy's raw file."""
        return {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "content_type": self.content_type,
            "charset": self.charset,
            "rendered": self.rendered,
            "body_base64": base64.b64encode(self.body).decode("ascii"),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Page:
        """A page written by to_record (KeyError, TypeError or ValueError when it is not one)."""
        content_type = str(record.get("content_type") or "")
        if record.get("charset"):
            content_type += f"; charset={record['charset']}"
        return cls(
            url=str(record["url"]),
            final_url=str(record.get("final_url") or record["url"]),
            status=int(record.get("status") or 200),
            headers={"content-type": content_type} if content_type else {},
            body=base64.b64decode(record["body_base64"]),
            rendered=bool(record.get("rendered")),
        )
