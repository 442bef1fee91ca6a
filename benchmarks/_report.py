"""What every benchmark does last: print its markdown report and write it to a file.

The benchmarks run as scripts (``python benchmarks/NAME.py``), so this module is
imported from the script's own folder.
"""

from pathlib import Path


def publish(lines: list[str], output: Path) -> int:
    """Print ``lines`` as one report, write it to ``output``, and return exit code 0."""
    report = "\n".join(lines) + "\n"
    print(report)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    return 0
