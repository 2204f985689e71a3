"""Compiled bytecode in the Lambda package.

Lambda's file system is read-only, so a package of sources alone is compiled module by module
on every cold start (chalice packages sources: its own, and the wheels of the dependencies,
which hold none). Each ``.py`` gets its ``__pycache__/*.pyc`` here, compiled by the Python
that builds the package (the runtime chalice chose from it, so the same bytecode version) in
``unchecked-hash`` mode: a zip keeps times at two-second steps, so the usual check of the
source's time could reject the file; the package never changes once built.

    python -m deploy.bytecode build/dev/deployment.zip
"""
import importlib.util
import pathlib
import py_compile
import sys
import tempfile
import zipfile

__all__ = ["add_bytecode"]


def add_bytecode(archive: pathlib.Path) -> int:
    """Add the bytecode of every module of ``archive`` that lacks it; how many were added."""
    with zipfile.ZipFile(archive) as package:
        names = set(package.namelist())
        sources = [name for name in names if name.endswith(".py")]
        with tempfile.TemporaryDirectory() as scratch:
            compiled = []
            for name in sources:
                target = importlib.util.cache_from_source(name)
                if target in names:
                    continue
                source = package.extract(name, scratch)
                try:
                    py_compile.compile(source, cfile=str(pathlib.Path(scratch) / target),
                                       dfile=name, doraise=True,
                                       invalidation_mode=py_compile.PycInvalidationMode
                                       .UNCHECKED_HASH)
                except py_compile.PyCompileError:
                    continue  # not this Python's syntax (a vendored file never imported)
                compiled.append(target)
            with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as appended:
                for target in compiled:
                    appended.write(pathlib.Path(scratch) / target, target)
    return len(compiled)


def main(argv: list[str]) -> int:
    for path in argv:
        print(f"{path}: bytecode of {add_bytecode(pathlib.Path(path))} modules added")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
