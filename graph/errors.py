"""The one error type that bad input raises, so the CLI can print it on one line."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input (an article, the manifest, a date): names the file and the problem.

    The build catches only this type and prints it as one line; anything else is a bug
    and keeps its traceback.
    """

    def __init__(self, where: Path | str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = str(where)
        self.problem = problem
