"""The AWS stand-in in a process of its own, as ``make run`` starts it: moto with the project's
fixes (``local.aws.start_moto``) on ``SERVICEDESK_AWS_PORT``, keeping its data in the data
folder (``local.persistence``): it saves a snapshot a moment after each change and when it
stops (SIGINT or SIGTERM), and ``POST /servicedesk/restore`` puts the folder's snapshot back
once ``make run`` has made the stack's tables.

Its own process, so that the service and the stand-in each have a core: they no longer share
one interpreter's lock.

    python -m local.standin          (make run starts it; it prints one line when ready)
"""
import os
import signal
import sys
import threading
import time

from . import aws, persistence

READY = "stand-in ready on"


def _saver(server, folder, stop: threading.Event) -> None:
    """Save a snapshot a moment after anything changed, and once more when stopping; a
    large store waits ten times as long as its last save took, so that saving takes a tenth
    of the stand-in's time at most."""
    wait = persistence.SAVE_EVERY_SECONDS
    while True:
        stopping = stop.wait(wait)
        calls = server.calls
        if not persistence.RESTORED.is_set():
            if stopping:
                return
            continue
        started = time.monotonic()
        with calls.lock:
            changed, calls.changed = calls.changed, False
            kept = persistence.snapshot() if changed else None
        if kept is not None:
            persistence.save(kept, folder)
            wait = max(persistence.SAVE_EVERY_SECONDS, 10 * (time.monotonic() - started))
        if stopping:
            return


def _orphaned(parent: int, stop: threading.Event) -> None:
    """Stop (saving first) when ``make run`` is gone, however it ended (killed, a crash)."""
    while not stop.wait(1):
        if os.getppid() != parent:
            stop.set()


def main() -> int:
    aws.use_test_credentials()
    port = int(os.environ.get("SERVICEDESK_AWS_PORT", aws.DEFAULT_PORT))
    folder = persistence.data_dir()
    server, endpoint = aws.start_moto(port=port)
    stop = threading.Event()
    saver = threading.Thread(target=_saver, args=(server, folder, stop), name="snapshots")
    saver.start()
    threading.Thread(target=_orphaned, args=(os.getppid(), stop), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"{READY} {endpoint}; data in {folder}", flush=True)
    saver.join()  # until stopped: the last snapshot is written before the process ends
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
