"""Telling a WebSub hub which feeds changed, once they are on disk (https://www.w3.org/TR/websub/)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

TIMEOUT = 10.0
"""Seconds to wait for the hub; a hub that does not answer must not hold up cron."""


def ping(hub: str, topics: list[str], timeout: float = TIMEOUT) -> list[str]:
    """Send the hub a publish notification for each feed URL in `topics`; what went wrong, if
    anything, one line per feed (a hub that fails costs subscribers only a delay)."""
    failures = []
    for topic in topics:
        body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": topic}).encode()
        request = urllib.request.Request(
            hub, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                answer.read()
        except urllib.error.HTTPError as e:
            failures.append(f"hub {hub} answered {e.code} {e.reason} for {topic}")
        except (urllib.error.URLError, OSError, ValueError) as e:
            reason = getattr(e, "reason", e)
            failures.append(f"hub {hub} could not be reached for {topic}: {reason}")
    return failures
