"""What ``make run`` keeps across a restart: the stand-in's DynamoDB items, its S3 objects
(the tickets' files) and its queues' waiting messages (webhook deliveries and their retries),
in one file of a data folder.

The folder is ``SERVICEDESK_DATA_DIR``, by default ``.servicedesk-data/`` under the checkout;
a new or empty folder starts empty. The stand-in writes ``snapshot.json`` a moment after a
change (at most every ``SAVE_EVERY_SECONDS``) and when it stops: first to a temporary file
in the same folder, flushed to disk, then renamed over the previous one (an atomic rename), so
a crash while writing leaves the previous snapshot whole. Stream records are not kept: the
stream handlers catch up before ``make run`` stops, and a restored item makes no new record
(so no e-mail, history entry or event is made twice).

Each is read and written inside the stand-in's own process (``local.standin``), holding its
one-call-at-a-time lock while it copies, so a snapshot never holds half a transaction.
"""
import base64
import json
import os
import pathlib
import tempfile
import threading
import time

__all__ = ["data_dir", "snapshot", "restore", "save", "load", "SNAPSHOT", "SAVE_EVERY_SECONDS",
           "RESTORED"]

ROOT = pathlib.Path(__file__).resolve().parent.parent
SNAPSHOT = "snapshot.json"
SAVE_EVERY_SECONDS = 2.0
_VERSION = 1
#: Set once the folder's snapshot is back in the stand-in: no snapshot is saved before (the
#: stack's new tables, still empty, would replace the one in the folder).
RESTORED = threading.Event()


def data_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("SERVICEDESK_DATA_DIR") or ROOT / ".servicedesk-data")


def _backends():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.s3.models import s3_backends
    from moto.sqs.models import sqs_backends
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    return (dynamodb_backends[DEFAULT_ACCOUNT_ID][region],
            s3_backends[DEFAULT_ACCOUNT_ID]["global"],
            sqs_backends[DEFAULT_ACCOUNT_ID][region])


def snapshot() -> dict:
    """Everything that is kept, as plain data (the caller holds the stand-in's lock)."""
    dynamodb, s3, sqs = _backends()
    now = time.time() * 1000
    return {
        "version": _VERSION,
        "tables": {name: [item.to_json()["Attributes"] for item in table.all_items()]
                   for name, table in dynamodb.tables.items()},
        "buckets": {name: {key: base64.b64encode(entry.value).decode()
                           for key, entry in bucket.keys.items()}
                    for name, bucket in s3.buckets.items()},
        "queues": {name: [{"body": message.body,
                           "delay": max(0, int((message.delayed_until - now) / 1000))}
                          for message in queue._messages]
                   for name, queue in sqs.queues.items()},
    }


def restore(kept: dict) -> dict[str, int]:
    """Put ``kept`` into the stand-in's tables, buckets and queues (which the stack made):
    no stream record is made. What was restored, counted."""
    dynamodb, s3, sqs = _backends()
    counts = {"items": 0, "files": 0, "messages": 0}
    for name, items in kept.get("tables", {}).items():
        table = dynamodb.tables.get(name)
        if table is None:
            continue
        shard, table.stream_shard = table.stream_shard, None
        try:
            for attributes in items:
                table.put_item(attributes)
        finally:
            table.stream_shard = shard
        counts["items"] += len(items)
    for name, objects in kept.get("buckets", {}).items():
        if name not in s3.buckets:
            continue
        for key, value in objects.items():
            s3.put_object(name, key, base64.b64decode(value))
        counts["files"] += len(objects)
    for name, messages in kept.get("queues", {}).items():
        if name not in sqs.queues:
            continue
        for message in messages:
            sqs.send_message(name, message["body"], delay_seconds=min(message["delay"], 900))
        counts["messages"] += len(messages)
    return counts


def save(kept: dict, folder: pathlib.Path) -> None:
    """Write ``kept`` to ``folder``'s snapshot, atomically (see the module's note)."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".snapshot-", dir=folder)
    try:
        with os.fdopen(handle, "w") as out:
            json.dump(kept, out, separators=(",", ":"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, folder / SNAPSHOT)
    except BaseException:
        pathlib.Path(temporary).unlink(missing_ok=True)
        raise


def load(folder: pathlib.Path) -> dict | None:
    """The folder's snapshot, or None for a new or empty folder."""
    try:
        with open(folder / SNAPSHOT) as found:
            kept = json.load(found)
    except FileNotFoundError:
        return None
    if kept.get("version") != _VERSION:
        raise ValueError(f"{folder / SNAPSHOT} was written by another version of servicedesk;"
                         " move it away (or point SERVICEDESK_DATA_DIR elsewhere) to start "
                         "empty")
    return kept
