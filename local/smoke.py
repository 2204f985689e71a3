"""``make smoke-local``: the smoke test of a stage (deploy/smoke.py), against the stack as
``make run`` starts it, with the demo client. CI runs it."""
import sys

from deploy import smoke

from .stack import DEMO, LocalStack


def main() -> int:
    with LocalStack() as stack:
        return smoke.main([stack.base, *DEMO])


if __name__ == "__main__":
    sys.exit(main())
