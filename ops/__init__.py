"""Operator commands, run from a workstation against any endpoint; not part of the Lambda."""
