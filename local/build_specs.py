"""Copy the hand-written ``openapi/*.yaml`` into ``chalicelib/openapi/*.json``.

The Lambda package only carries ``chalicelib/``, and the runtime must not parse YAML at cold
start, so the contract travels as JSON. ``make specs`` runs this; a test fails when a JSON copy
is stale.
"""
import json
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = ROOT / "openapi"
TARGET = ROOT / "chalicelib" / "openapi"


def rendered() -> dict[pathlib.Path, str]:
    """Target path -> JSON text, for every spec."""
    return {TARGET / (source.stem + ".json"):
            json.dumps(yaml.safe_load(source.read_text(encoding="utf-8")), indent=1) + "\n"
            for source in sorted(SOURCE.glob("*.yaml"))}


def main() -> int:
    TARGET.mkdir(exist_ok=True)
    outputs = rendered()
    for stale in set(TARGET.glob("*.json")) - set(outputs):
        stale.unlink()
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
