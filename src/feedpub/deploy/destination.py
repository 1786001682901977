"""Where a deploy goes, `s3://bucket/prefix`, the keys it may write there, and the S3 client
that reaches it.

The key rule, for the prefix and for every path under it: parts between single slashes, none
empty, '.' or '..', each of printable characters (no control, format or line-separating
character, no lone surrogate: what a message prints as it is) other than the backslash, which
some services read as a slash; a whole key of at most 1,024 bytes in UTF-8. A prefix may end in
one slash. So a path is one line wherever it is printed, and the key listed is the key written.

boto3 signs the requests, finds credentials by the standard AWS chain (environment, shared
files, `--profile`) and retries throttled and failed requests with backoff; this module asks
it for the few operations a deploy needs, each bounded in time, and turns its errors into
`Unreachable` (the service could not be reached, refused, or answered what cannot be read)
and `Precondition` (a conditional write lost).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as Late
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_tz
from typing import Any, TypeVar
from urllib.parse import urlsplit

from feedpub import __version__

ATTEMPTS = 5
"""Tries of each request, unless AWS_MAX_ATTEMPTS or the profile's max_attempts says otherwise."""
REQUEST_SECONDS = 30.0
"""The most one request may take, its retries included, before the deploy gives up on it."""
DEADLINE = 900.0
"""The most a whole deploy may take (--timeout)."""
KEY_BYTES = 1024
"""The longest key S3 takes, in bytes of UTF-8."""
_BUCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,254}")
_BATCH = 1000
"""Keys one DeleteObjects request may name."""
_HTTP_DATE = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} (?:GMT|UTC|[+-]\d{4})")
_USERINFO = re.compile(r"//[^/\s@]*@")
_WRITES = ("PUT", "POST", "DELETE")
_TOLD = 500
"""Characters of a failure's text that a message repeats."""

T = TypeVar("T")


class Usage(Exception):
    """The destination or the options are wrong, or boto3 is missing: nothing was tried."""


class Unreachable(Exception):
    """The service could not be reached, refused a request (credentials, permissions), took
    too long, or answered what cannot be read."""


class Precondition(Exception):
    """A conditional write found the object other than it expected (HTTP 412 or 409)."""


def key_problem(path: str) -> str | None:
    """What in `path` (a prefix, or a path under it) breaks the key rule; None if nothing."""
    for part in path.split("/"):
        if part in ("", ".", ".."):
            return "an empty, '.' or '..' part"
        if not part.isprintable() or "\\" in part:
            return "a backslash or a character that is not printable (a control character, a line break)"
    return None


def quoted(text: str) -> str:
    """`text` quoted for a message, unless it holds an '@', as a user:password@ would: such a
    text is not repeated (a cron job mails what it prints)."""
    return f"'{text}'" if "@" not in text else "the address (not repeated here: it holds an '@')"


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
    """`s3://bucket` or `s3://bucket/prefix`, the prefix by the key rule; raises Usage with what
    would be right."""
    example = "expected s3://bucket or s3://bucket/prefix"
    if not text.startswith("s3://"):
        raise Usage(f"{quoted(text)} is not an S3 address ({example})")
    bucket, _, prefix = text.removeprefix("s3://").partition("/")
    if "@" in bucket:
        raise Usage(
            f"{quoted(text)} names a user or password: credentials come from the AWS chain, never "
            f"from DEST ({example})"
        )
    if not _BUCKET.fullmatch(bucket):
        raise Usage(f"{quoted(text)} names no valid bucket ({example})")
    path = prefix.removesuffix("/")
    if prefix and (problem := key_problem(path)):
        raise Usage(f"{quoted(text)} has {problem} in its prefix ({example}; see the key rule in README)")
    if len(path.encode()) >= KEY_BYTES:
        raise Usage(f"{quoted(text)} has a prefix too long for any key under it ({example})")
    return Destination(bucket, f"{path}/" if path else "")


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
    written: datetime
    """When it was last written, by the server's clock."""
    date: str | None
    """The server's Date header as it came (None if it sent none)."""

    def age(self) -> float:
        """Seconds since it was last written, by the server's clock (by this machine's if the
        server sent no Date); raises Unreachable if its Date is not an HTTP date."""
        if self.date is None:
            return (datetime.now(UTC) - self.written).total_seconds()
        parts = parsedate_tz(self.date) if _HTTP_DATE.fullmatch(self.date) else None
        try:
            if parts is None:
                raise ValueError
            now = datetime(*parts[:6], tzinfo=UTC).timestamp() - (parts[9] or 0)
        except (ValueError, OverflowError):
            raise Unreachable(
                f"the service's Date header {self.date[:80]!r} is not one HTTP date (such as "
                "'Sun, 06 Nov 1994 08:49:37 GMT'), so the age of the lock cannot be told"
            ) from None
        return now - self.written.timestamp()


class Store:
    """The S3 operations a deploy needs on one bucket, each request counted by operation and
    given at most `request_seconds`, never past `deadline` seconds from the Store's making.
    A request given up on is abandoned, not stopped (its thread ends with the process, or when
    the server answers): from then on the Store sends no write."""

    def __init__(
        self,
        destination: Destination,
        *,
        endpoint_url: str | None,
        profile: str | None,
        workers: int,
        deadline: float = DEADLINE,
        request_seconds: float = REQUEST_SECONDS,
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
        self.deadline, self.request_seconds = deadline, request_seconds
        self.end = time.monotonic() + deadline
        self.requests: Counter[str] = Counter()
        self.guard: Callable[[], None] | None = None
        """Called before every attempt of every write but the lock's own: raises to stop it."""
        self.abandoned = False
        """Whether a request was given up on while it may still be under way."""
        self._counting = threading.Lock()
        self._local = threading.local()
        try:  # a profile, AWS_MAX_ATTEMPTS or AWS_RETRY_MODE botocore refuses
            session = boto3.session.Session(profile_name=profile)
            attempts = session._session.get_config_variable("max_attempts")
            config = botocore.config.Config(
                retries={
                    "mode": session._session.get_config_variable("retry_mode") or "standard",
                    "total_max_attempts": int(attempts) if attempts else ATTEMPTS,
                },
                max_pool_connections=workers,
                connect_timeout=10,
                read_timeout=min(60.0, request_seconds),
                # Services other than AWS's often refuse the trailing checksums boto3 now sends by
                # default; uploads carry Content-MD5 instead, which every S3 service checks.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                user_agent_extra=f"feedpub/{__version__}",
            )
        except (botocore.exceptions.BotoCoreError, ValueError) as e:
            raise Usage(_told(f"the AWS configuration cannot be used: {e}")) from None
        with self._failures("cannot start an S3 client"):
            self.client = session.client("s3", endpoint_url=endpoint_url, config=config)
        # the address may also come from AWS_ENDPOINT_URL or the profile, unchecked by the CLI
        address = urlsplit(self.client.meta.endpoint_url)
        if "@" in address.netloc:
            raise Usage(
                "the S3 endpoint's address holds a user or password (user:password@, not repeated "
                "here): credentials come from the AWS chain, never from the address"
            )
        self.endpoint = f"{address.scheme}://{address.netloc}"
        self.client.meta.events.register("before-send.s3", self._sending)

    def _sending(self, event_name: str, request: Any, **kwargs: Any) -> None:
        """Every attempt of every request, retries included, counted as the service would bill
        it; a write stopped if a request was abandoned, or if the guard says so."""
        with self._counting:
            self.requests[event_name.rsplit(".", 1)[-1]] += 1
        if request.method in _WRITES:
            if self.abandoned:
                raise Unreachable("not sent: an earlier request was given up on")
            if self.guard is not None and getattr(self._local, "guarded", True):
                self.guard()

    def _request(self, what: str, call: Callable[[], T], *, guarded: bool = True) -> T:
        """What `call` returns, given the time one request may have; its failures as
        Unreachable or Precondition, each message beginning with `what`."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise Unreachable(f"{what}: not sent, the deploy's {self.deadline:g} s (--timeout) ran out")
        seconds = min(self.request_seconds, left)
        outcome: Future[T] = Future()

        def run() -> None:
            self._local.guarded = guarded
            try:
                with self._failures(what):
                    outcome.set_result(call())
            except BaseException as e:  # handed to the caller's thread
                outcome.set_exception(e)

        try:
            # a thread of its own, left behind if it is given up on: a server that trickles its
            # answer keeps no socket read waiting past the time given (each read has its own
            # timeout); started within the try, as a stop that lands while start() waits for the
            # thread finds the request under way
            threading.Thread(target=run, name="feedpub-deploy-request", daemon=True).start()
            return outcome.result(timeout=seconds)
        except Late:
            self.abandoned = True
            if seconds < self.request_seconds:
                why = f"the deploy's {self.deadline:g} s (--timeout) ran out"
            else:
                why = f"{self.endpoint} sent no complete answer within {seconds:g} s"
            raise Unreachable(f"{what}: {why}") from None
        except BaseException:
            if not outcome.done():  # stopped (Ctrl-C, SIGTERM) once it may have begun: it may land yet
                self.abandoned = True
            raise

    @contextlib.contextmanager
    def _failures(self, what: str) -> Iterator[None]:
        try:
            yield
        except self.errors.ClientError as e:
            error = e.response.get("Error", {})
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status in (409, 412):
                raise Precondition(_told(f"{what}: {error.get('Code', status)}")) from None
            code = error.get("Code") or status
            message = error.get("Message") or ""
            raise Unreachable(_told(f"{what}: {code}{f' ({message})' if message else ''}")) from None
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
            raise Unreachable(_told(f"cannot reach {self.endpoint} ({e})")) from None
        except self.errors.BotoCoreError as e:
            raise Unreachable(_told(f"{what}: {e}")) from None
        except (KeyError, TypeError, ValueError) as e:
            # an answer without a field every S3 service sends, or with one that is no number or date
            raise Unreachable(_told(f"{what}: the service's answer cannot be read ({e!r})")) from None

    def listing(self, prefix: str) -> dict[str, Listed]:
        """Every object whose key starts with `prefix`, by key."""
        what = f"cannot list s3://{self.bucket}/{prefix}"
        objects: dict[str, Listed] = {}
        seen: set[str] = set()
        token: str | None = None
        while True:
            more = {"ContinuationToken": token} if token else {}

            def page(more: dict[str, str] = more) -> tuple[dict[str, Listed], str | None]:
                answer = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, **more)
                items = {
                    item["Key"]: Listed(_etag(item["ETag"]), int(item["Size"]), _moment(item["LastModified"]))
                    for item in answer.get("Contents", [])
                }
                return items, answer["NextContinuationToken"] if answer.get("IsTruncated") else None

            items, token = self._request(what, page)
            objects |= items
            if token is None:
                return objects
            if token in seen:
                raise Unreachable(f"{what}: the service's listing goes round in a circle")
            seen.add(token)

    def head(self, key: str) -> Head | None:
        """What the object's headers say of it; None if it is missing."""

        def call() -> Head | None:
            try:
                answer = self.client.head_object(Bucket=self.bucket, Key=key)
            except self.errors.ClientError as e:
                if e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                    return None  # a HEAD's 404 has no body, so no NoSuchKey to catch
                raise
            return Head(
                Listed(_etag(answer["ETag"]), int(answer["ContentLength"]), _moment(answer["LastModified"])),
                answer.get("Metadata", {}).get("sha256"),
                answer.get("ContentType"),
                answer.get("CacheControl"),
            )

        return self._request(f"cannot read s3://{self.bucket}/{key}", call)

    def get(self, key: str, *, most: int) -> Got | None:
        """The object's first `most` bytes (all feedpub ever writes there, so no object someone
        else put there is read whole), None if it is missing."""
        what = f"cannot read s3://{self.bucket}/{key}"

        def call() -> Got | None:
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{most - 1}")
            except self.client.exceptions.NoSuchKey:
                return None
            with contextlib.closing(answer["Body"]) as body:  # a server that sends more is cut off
                data = body.read(most)
            date = answer["ResponseMetadata"]["HTTPHeaders"].get("date")
            written = answer["LastModified"]
            return Got(data, Listed(_etag(answer["ETag"]), len(data), _moment(written)), written, date)

        return self._request(what, call)

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
        guarded: bool = True,
    ) -> str:
        """Write the object, checked against Content-MD5; its new ETag. Raises Precondition if
        `if_none_match` and it exists, or `if_match` and its ETag differs. The guard is asked
        before each attempt unless not `guarded`."""
        conditions: dict[str, str] = {"IfNoneMatch": "*"} if if_none_match else {}
        if if_match:
            conditions["IfMatch"] = if_match
        extra = {"CacheControl": cache_control} if cache_control else {}

        def call() -> str:
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
            return _etag(answer["ETag"])

        return self._request(f"cannot write s3://{self.bucket}/{key}", call, guarded=guarded)

    def delete(self, key: str, *, if_match: str | None = None, guarded: bool = True) -> None:
        condition = {"IfMatch": if_match} if if_match else {}
        self._request(
            f"cannot delete s3://{self.bucket}/{key}",
            lambda: self.client.delete_object(Bucket=self.bucket, Key=key, **condition),
            guarded=guarded,
        )

    def delete_many(self, keys: list[str]) -> None:
        for start in range(0, len(keys), _BATCH):
            batch = keys[start : start + _BATCH]
            what = f"cannot delete {len(batch)} objects in s3://{self.bucket}"

            def call(batch: list[str] = batch) -> list[Any]:
                answer = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True}
                )
                return list(answer.get("Errors", []))

            errors = self._request(what, call)
            if errors:
                first = errors[0]
                raise Unreachable(
                    _told(
                        f"cannot delete s3://{self.bucket}/{first.get('Key')}: {first.get('Code')} "
                        f"({first.get('Message', '')}), and {len(errors) - 1} more"
                    )
                )


def _etag(text: str) -> str:
    """An ETag in quotes, as HTTP writes it, whether or not the service quoted it in this answer
    (some quote it in one kind of answer and not in another)."""
    return f'"{text.strip(chr(34))}"'


def _moment(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _told(text: str) -> str:
    """`text`, which may hold what a server sent, as a message tells it: without any
    user:password@ of an address, and cut short (a server may send megabytes of error)."""
    text = _USERINFO.sub("//", text)
    return text if len(text) <= _TOLD else f"{text[:_TOLD]}… ({len(text) - _TOLD:,} characters more)"
