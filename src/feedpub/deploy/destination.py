"""Where a deploy goes, `s3://bucket/prefix`, and the S3 client that reaches it.

boto3 signs the requests, finds credentials by the standard AWS chain (environment, shared
files, `--profile`) and retries throttled and failed requests with backoff; this module asks
it for the few operations a deploy needs and turns its errors into `Unreachable` (the
service could not be reached, or refused) and `Precondition` (a conditional write lost).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from feedpub import __version__

ATTEMPTS = 5
"""Tries of each request, unless AWS_MAX_ATTEMPTS or the profile's max_attempts says otherwise."""
_BUCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,254}")
_BATCH = 1000
"""Keys one DeleteObjects request may name."""


class Usage(Exception):
    """The destination or the options are wrong, or boto3 is missing: nothing was tried."""


class Unreachable(Exception):
    """The service could not be reached, or refused a request (credentials, permissions)."""


class Precondition(Exception):
    """A conditional write found the object other than it expected (HTTP 412 or 409)."""


@dataclass(frozen=True)
class Destination:
    bucket: str
    prefix: str
    """'' or a path ending in '/': every key a deploy touches starts with it."""

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix.rstrip('/')}"

    def key(self, path: str) -> str:
        return self.prefix + path


def parse(text: str) -> Destination:
    """`s3://bucket` or `s3://bucket/prefix`; raises Usage with what would be right."""
    example = "expected s3://bucket or s3://bucket/prefix"
    if not text.startswith("s3://"):
        raise Usage(f"'{text}' is not an S3 address ({example})")
    bucket, _, prefix = text.removeprefix("s3://").partition("/")
    if not _BUCKET.fullmatch(bucket):
        raise Usage(f"'{text}' names no valid bucket ({example})")
    parts = prefix.strip("/").split("/") if prefix.strip("/") else []
    if any(part in ("", ".", "..") for part in parts):
        raise Usage(f"'{text}' has an empty, '.' or '..' part in its prefix ({example})")
    return Destination(bucket, "".join(f"{part}/" for part in parts))


@dataclass(frozen=True)
class Listed:
    """What a listing or a HEAD tells of an object without reading it."""

    etag: str
    size: int
    modified: str
    """Last-Modified in ISO 8601, UTC, as precise as the service tells it (Amazon S3's
    listings give milliseconds; a change made within the same second is told by the ETag)."""


@dataclass(frozen=True)
class Head:
    listed: Listed
    sha256: str | None
    """The digest feedpub put in the object's metadata; None if someone else wrote it."""
    content_type: str | None
    cache_control: str | None


@dataclass(frozen=True)
class Got:
    data: bytes
    listed: Listed
    age: float
    """Seconds since it was last written, by the server's clock."""


class Store:
    """The S3 operations a deploy needs on one bucket, each request counted by operation."""

    def __init__(
        self, destination: Destination, *, endpoint_url: str | None, profile: str | None, workers: int
    ) -> None:
        try:
            import boto3
            import botocore.config
            import botocore.exceptions
        except ImportError:
            raise Usage(
                "deploying needs boto3: install feedpub with its s3 extra (pip install '.[s3]' in its clone)"
            ) from None
        self.errors = botocore.exceptions
        self.bucket = destination.bucket
        self.endpoint = endpoint_url or "Amazon S3"
        self.requests: Counter[str] = Counter()
        self._counting = threading.Lock()
        try:
            session = boto3.session.Session(profile_name=profile)
        except botocore.exceptions.ProfileNotFound as e:
            raise Usage(str(e)) from None
        attempts = session._session.get_config_variable("max_attempts")
        config = botocore.config.Config(
            retries={
                "mode": session._session.get_config_variable("retry_mode") or "standard",
                "total_max_attempts": int(attempts) if attempts else ATTEMPTS,
            },
            max_pool_connections=workers,
            connect_timeout=10,
            read_timeout=60,
            # Services other than AWS's often refuse the trailing checksums boto3 now sends by
            # default; uploads carry Content-MD5 instead, which every S3 service checks.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            user_agent_extra=f"feedpub/{__version__}",
        )
        with self._failures("cannot start an S3 client"):
            self.client = session.client("s3", endpoint_url=endpoint_url, config=config)
        self.client.meta.events.register("before-send.s3", self._count)

    def _count(self, event_name: str, **kwargs: Any) -> None:
        """Every attempt of every request, retries included, as the service would bill it."""
        with self._counting:
            self.requests[event_name.rsplit(".", 1)[-1]] += 1

    @contextlib.contextmanager
    def _failures(self, what: str) -> Iterator[None]:
        try:
            yield
        except self.errors.ClientError as e:
            error = e.response.get("Error", {})
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status in (409, 412):
                raise Precondition(f"{what}: {error.get('Code', status)}") from None
            code = error.get("Code") or status
            message = error.get("Message") or ""
            raise Unreachable(f"{what}: {code}{f' ({message})' if message else ''}") from None
        except (self.errors.NoCredentialsError, self.errors.PartialCredentialsError):
            raise Unreachable(
                f"{what}: no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                "or name a profile of ~/.aws/credentials with --profile)"
            ) from None
        except (
            self.errors.EndpointConnectionError,
            self.errors.ConnectionError,
            self.errors.ReadTimeoutError,
            self.errors.ConnectionClosedError,
        ) as e:
            raise Unreachable(f"cannot reach {self.endpoint} ({e})") from None
        except self.errors.BotoCoreError as e:
            raise Unreachable(f"{what}: {e}") from None

    def listing(self, prefix: str) -> dict[str, Listed]:
        """Every object whose key starts with `prefix`, by key."""
        found = {}
        with self._failures(f"cannot list s3://{self.bucket}/{prefix}"):
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    found[item["Key"]] = Listed(item["ETag"], item["Size"], _moment(item["LastModified"]))
        return found

    def head(self, key: str) -> Head | None:
        """What the object's headers say of it; None if it is missing."""
        with self._failures(f"cannot read s3://{self.bucket}/{key}"):
            try:
                answer = self.client.head_object(Bucket=self.bucket, Key=key)
            except self.errors.ClientError as e:
                if e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                    return None  # a HEAD's 404 has no body, so no NoSuchKey to catch
                raise
        return Head(
            Listed(answer["ETag"], answer["ContentLength"], _moment(answer["LastModified"])),
            answer.get("Metadata", {}).get("sha256"),
            answer.get("ContentType"),
            answer.get("CacheControl"),
        )

    def get(self, key: str) -> Got | None:
        with self._failures(f"cannot read s3://{self.bucket}/{key}"):
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=key)
            except self.client.exceptions.NoSuchKey:
                return None
            data = answer["Body"].read()
        headers = answer["ResponseMetadata"]["HTTPHeaders"]
        now = parsedate_to_datetime(headers["date"]) if "date" in headers else datetime.now(UTC)
        return Got(
            data,
            Listed(answer["ETag"], len(data), _moment(answer["LastModified"])),
            (now - answer["LastModified"]).total_seconds(),
        )

    def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str,
        cache_control: str | None = None,
        metadata: dict[str, str] | None = None,
        if_none_match: bool = False,
        if_match: str | None = None,
    ) -> str:
        """Write the object, checked against Content-MD5; its new ETag. Raises Precondition if
        `if_none_match` and it exists, or `if_match` and its ETag differs."""
        conditions: dict[str, str] = {"IfNoneMatch": "*"} if if_none_match else {}
        if if_match:
            conditions["IfMatch"] = if_match
        extra = {"CacheControl": cache_control} if cache_control else {}
        with self._failures(f"cannot write s3://{self.bucket}/{key}"):
            answer = self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                ContentMD5=base64.b64encode(hashlib.md5(data).digest()).decode(),
                Metadata=metadata or {},
                **extra,
                **conditions,
            )
        return str(answer["ETag"])

    def delete(self, key: str, *, if_match: str | None = None) -> None:
        condition = {"IfMatch": if_match} if if_match else {}
        with self._failures(f"cannot delete s3://{self.bucket}/{key}"):
            self.client.delete_object(Bucket=self.bucket, Key=key, **condition)

    def delete_many(self, keys: list[str]) -> None:
        for start in range(0, len(keys), _BATCH):
            batch = keys[start : start + _BATCH]
            with self._failures(f"cannot delete {len(batch)} objects in s3://{self.bucket}"):
                answer = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True}
                )
            errors = answer.get("Errors", [])
            if errors:
                first = errors[0]
                raise Unreachable(
                    f"cannot delete s3://{self.bucket}/{first.get('Key')}: {first.get('Code')} "
                    f"({first.get('Message', '')}), and {len(errors) - 1} more"
                )


def _moment(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
