"""Every shell example of the README and of ``docs/`` runs, in order, against the stack as
``make run`` starts it, so a wrong id, a renamed field or a stale port fails CI.

A page's ```` ```sh ```` blocks run as one bash script (``set -euo pipefail``), in the page's
order, the pages in the order of the docs' index (``docs/README.md``), each page in a shell of
its own (a page sets what it uses), all against one stack with its own data folder. The
script sees ``PORT``, ``SERVICEDESK_AWS_PORT`` and ``SERVICEDESK_DATA_DIR`` as a reader's
shell would after ``make run`` with them set. A comment line ``#> TEXT`` in a block is what
the block must print. The README's two commands (``make run``, ``make test``) are the only
block not run here: CI runs both.

Blocks of another language (```` ```text ````, ```` ```python ````) show; they are not run.
"""
import os
import re
import subprocess
from pathlib import Path

import pytest

from local.stack import LocalStack

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
SETUP = {"make run", "make test"}
MARK = "@@docs-example-block@@"


def pages() -> list[Path]:
    """The README, then the docs' pages in the order their index links them."""
    index = (DOCS / "README.md").read_text()
    linked = [DOCS / name for name in re.findall(r"\]\(([\w-]+\.md)\)", index)]
    return [ROOT / "README.md", DOCS / "README.md",
            *[page for page in dict.fromkeys(linked) if page.name != "README.md"]]


def shell_blocks(page: Path) -> list[str]:
    return [text for language, text in BLOCK.findall(page.read_text()) if language == "sh"]


def commands(block: str) -> set[str]:
    return {line.split("#")[0].strip() for line in block.splitlines()
            if line.split("#")[0].strip()}


def test_the_index_links_every_page_and_every_page_has_examples():
    listed = {page.name for page in pages()[1:]}
    assert listed == {page.name for page in DOCS.glob("*.md")}
    for page in pages():
        if page.name != "README.md" or page.parent != DOCS:
            assert shell_blocks(page), f"{page.name} has no example to run"


def run_page(page: Path, stack: LocalStack, env: dict) -> list[tuple[str, str]]:
    """Run the page's blocks; what each printed, beside its text."""
    blocks = [block for block in shell_blocks(page) if commands(block) - SETUP]
    script = ["set -euo pipefail", "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT"]
    for block in blocks:
        script += [f"echo {MARK}", block]
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    printed = done.stdout.split(MARK + "\n")[1:]
    if done.returncode != 0:
        failed = blocks[len(printed) - 1] if printed else blocks[0]
        pytest.fail(f"{page.relative_to(ROOT)}: this block failed ({done.returncode}):\n"
                    f"{failed}\nit printed:\n{printed[-1] if printed else ''}\n"
                    f"{done.stderr[-3000:]}")
    return list(zip(blocks, printed, strict=True))


def test_every_shell_example_runs_in_order_against_make_run(tmp_path):
    with LocalStack() as stack:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("SERVICEDESK_", "AWS_"))}
        env.update(PORT=str(stack.port), SERVICEDESK_AWS_PORT=str(stack.aws_port),
                   SERVICEDESK_DATA_DIR=stack.data_dir, HOOK_PORT=str(free_hook_port()))
        ran = 0
        for page in pages():
            for block, printed in run_page(page, stack, env):
                ran += 1
                for expected in re.findall(r"^\s*#> (.+)$", block, re.M):
                    assert expected.strip() in printed, (
                        f"{page.relative_to(ROOT)}: expected {expected!r} in what this "
                        f"block printed:\n{block}\n---\n{printed}")
        assert ran >= 40
    print(f"{ran} examples ran")


def free_hook_port() -> int:
    from local.stack import free_port
    return free_port()
