"""The whole local stack in a child process, started exactly as ``make run`` starts it, for the
soak test, the benchmarks and the fuzzer: free ports, wait until it answers, read what it
e-mailed and stored, measure its memory, stop it."""
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time

import boto3
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = ("demo", "demo-secret")
BANNER_END = "Ctrl-C stops everything."  # the last line of make run's start banner


#: Ports handed to child stacks come from below Linux's default ephemeral range (32768-60999):
#: a port the kernel picked (bind to 0) is free now, but until the child binds it, any outgoing
#: connection on the machine (the other stacks' clients, hundreds a second under fuzz) may take
#: it as its source port, and the child then fails with "address in use".
CHILD_PORTS = range(20000, 32768)
#: How often a stack is started again on new ports when a port was still taken.
PORT_ATTEMPTS = 5


def free_port() -> int:
    """A loopback port that nothing holds now, outside the range the kernel hands out."""
    while True:
        port = random.choice(CHILD_PORTS)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


class _PortTaken(Exception):
    """The child stack stopped at once because one of its ports was taken."""


class LocalStack:
    """``with LocalStack() as stack:`` runs ``python -m local.run`` until the block ends."""

    def __init__(self, **environment: str) -> None:
        self._choose_ports()
        self.environment = environment
        self.process: subprocess.Popen | None = None
        self.output = ""

    def _choose_ports(self) -> None:
        self.port, self.aws_port = free_port(), free_port()
        while self.aws_port == self.port:
            self.aws_port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.aws = f"http://127.0.0.1:{self.aws_port}"

    def __enter__(self) -> "LocalStack":
        for _ in range(PORT_ATTEMPTS):
            try:
                return self._start()
            except _PortTaken:
                # Another process took a port between the probe and the child's bind.
                self._choose_ports()
        raise RuntimeError(f"the local stack found no free ports in {PORT_ATTEMPTS} attempts: "
                           + self.read_log())

    def _start(self) -> "LocalStack":
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("SERVICEDESK_", "AWS_"))}
        # Whatever a fuzzer or a soak client subscribes, no lookup leaves this machine; each
        # stack starts empty, in a data folder of its own.
        self._data = tempfile.TemporaryDirectory(prefix="servicedesk-data-")
        env.update(PORT=str(self.port), SERVICEDESK_AWS_PORT=str(self.aws_port),
                   SERVICEDESK_WEBHOOKS_LOOPBACK_ONLY="true", SERVICEDESK_DATA_DIR=self._data.name,
                   **self.environment)
        self._log = tempfile.TemporaryFile("w+")  # a pipe would fill up and stop the stack
        self.process = subprocess.Popen([sys.executable, "-m", "local.run"], cwd=ROOT, env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.read_log()
                if "Address already in use" in log:
                    raise _PortTaken()
                raise RuntimeError("the local stack stopped: " + log)
            try:
                if requests.get(f"{self.base}/api/v1/requests?limit=1", auth=DEMO,
                                timeout=5).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError("the local stack did not answer within 90 s")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output = self.read_log()
        if getattr(self, "_data", None) is not None:
            self._data.cleanup()

    def served_log(self) -> str:
        """What the stack has logged while serving: all it printed but the start banner,
        which shows the demo credentials on purpose (``make run`` is a laptop's demo)."""
        return self.read_log().partition(BANNER_END)[2]

    def read_log(self) -> str:
        """What the stack has printed so far."""
        self._log.seek(0)
        return self._log.read()

    @property
    def data_dir(self) -> str:
        return self._data.name

    def _pids(self) -> list[int]:
        """The stack's processes: the service (app and pollers) and its stand-in."""
        try:
            with open(f"/proc/{self.process.pid}/task/{self.process.pid}/children") as found:
                children = [int(pid) for pid in found.read().split()]
        except OSError:
            children = []
        return [self.process.pid, *children]

    def memory_mib(self) -> float:
        """The stack's resident memory: the service's and its stand-in's."""
        kib = 0
        for pid in self._pids():
            with open(f"/proc/{pid}/status") as status:
                kib += next(int(line.split()[1]) for line in status
                            if line.startswith("VmRSS:"))
        return kib / 1024

    def wait_until_idle(self, seconds: float = 600, busy_share: float = 0.3) -> None:
        """Wait until the stack has caught up (its stream handlers included): its CPU use
        stays under ``busy_share`` of one core for two seconds in a row (idle, its pollers
        and the stand-in that answers them take about a tenth; at work, a whole core)."""
        def cpu_seconds() -> float:
            total = 0.0
            for pid in self._pids():
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            return total
        deadline, quiet = time.monotonic() + seconds, 0
        while time.monotonic() < deadline and quiet < 2:
            before = cpu_seconds()
            time.sleep(1)
            quiet = quiet + 1 if cpu_seconds() - before < busy_share else 0

    def admin(self, *argv: str) -> str:
        """Run ``python -m ops.admin ARGV...`` against this stack's stand-in; what it printed
        (an error if it failed)."""
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("SERVICEDESK_", "AWS_"))}
        env.update(SERVICEDESK_AWS_ENDPOINT=self.aws, AWS_ACCESS_KEY_ID="testing",
                   AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
        done = subprocess.run([sys.executable, "-m", "ops.admin", *argv], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"ops.admin {' '.join(argv)}: {done.stderr or done.stdout}")
        return done.stdout

    def sent_emails(self) -> list[dict]:
        data = requests.get(f"{self.aws}/moto-api/data.json", timeout=60).json()
        return data.get("ses", {}).get("Message", [])

    def client(self, service: str):
        return boto3.client(service, endpoint_url=self.aws, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def dynamodb(self):
        return self.client("dynamodb")

    def failed_stream_batches(self) -> list[dict]:
        """What the stack's stream failures queue (the mappings' destination) holds."""
        sqs = self.client("sqs")
        return [message for url in sqs.list_queues().get("QueueUrls", [])
                for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                    "Messages", [])]

    def scan(self, table: str) -> list[dict]:
        items, pages = [], self.dynamodb().get_paginator("scan")
        for page in pages.paginate(TableName=table, ConsistentRead=True):
            items += page["Items"]
        return items
