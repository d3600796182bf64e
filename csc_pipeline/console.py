"""What ``csc refresh`` / ``csc backfill`` show a person: progress lines, and Dagster's event stream
sent to a log file. Plain Python (the CLI feeds it Dagster's events); unit-tested directly.

The console gets one line when a run starts a new stage (obtain, validate, load, harmonise,
analyse, publish) with the elapsed time, the run's number, the files obtained so far and the step
now running; on a terminal that line is also kept current while steps run. Everything else Dagster
prints (its event log, warnings, stack traces) goes to the log file, or to both with ``--verbose``.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

# Asset key prefix (the first part of a step key) -> the stage of a refresh it belongs to, in order.
STAGES = ("obtain", "validate", "load", "harmonise", "analyse", "publish")
STAGE_OF_PREFIX = {
    "source_files": "obtain",
    "conformed": "validate",
    "loaded": "load", "ref": "load", "meta": "load",
    "staging": "harmonise", "intermediate": "harmonise", "mart": "harmonise",
    # The refresh summary (what the panel gained, lost, revised) is computed as soon as the panel is
    # built, before the analyses run: it belongs to harmonising, or the console would say
    # "publish" while the analyses are still running.
    "publish_state": "harmonise",
    "analysis": "analyse",
    "warehouse": "publish", "exports": "publish",
}


def stage_of(step_key: str) -> str:
    """The stage of a step: ``loaded__cin_b1`` -> load (an unknown prefix is its own stage)."""
    prefix = step_key.split("__", 1)[0]
    return STAGE_OF_PREFIX.get(prefix, prefix)


def elapsed_text(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def progress_line(elapsed: float, number: int, total: int, stage: str, files: int, step: str) -> str:
    """``  1:05  run 28/28  load       138 files  loaded__cin_b1``"""
    width = len(str(total))
    return f"{elapsed_text(elapsed):>6}  run {number:>{width}}/{total}  {stage:<9}  {files:>4} files  {step}"


@dataclass
class Progress:
    """Progress of the runs of one command, written to ``out`` (a terminal gets a live line)."""

    out: TextIO
    started: float = field(default_factory=time.monotonic)
    files: int = 0
    _shown: tuple[int, int] = (0, -1)  # (run number, stage index) of the last line printed for good
    _live: bool = False  # a line is on the terminal without its newline yet

    def _write(self, text: str, final: bool) -> None:
        """A line for good (``final``), or on a terminal the live line, which the next write replaces."""
        if self.out.isatty():
            self.out.write("\r\033[K" + text + ("\n" if final else ""))
            self._live = not final
        elif final:
            self.out.write(text + "\n")
        self.out.flush()

    def note(self, message: str) -> None:
        """A message of its own line (a wait, a clean-up) between progress lines."""
        self._write(f"{elapsed_text(time.monotonic() - self.started):>6}  {message}", final=True)

    def step_started(self, number: int, total: int, step: str) -> None:
        """A line for a new run or a later stage; a terminal's live line follows every step."""
        stage = stage_of(step)
        index = STAGES.index(stage) if stage in STAGES else len(STAGES)
        shown_number, shown_index = self._shown
        advanced = number > shown_number or index > shown_index
        if advanced:
            self._shown = (number, index)
        else:
            stage = STAGES[shown_index] if shown_index < len(STAGES) else stage  # never step back a stage
        self._write(progress_line(time.monotonic() - self.started, number, total, stage, self.files, step), final=advanced)

    def finish(self) -> None:
        """Clear a terminal's live line."""
        if self._live:
            self.out.write("\r\033[K")
            self.out.flush()
            self._live = False


class _Tee:
    """A text stream writing to two others (``--verbose``: the console and the log file)."""

    def __init__(self, first: TextIO, second: TextIO):
        self._first, self._second = first, second

    def write(self, text: str) -> int:
        self._second.write(text)
        return self._first.write(text)

    def flush(self) -> None:
        self._first.flush()
        self._second.flush()

    def isatty(self) -> bool:
        return self._first.isatty()


@contextmanager
def routed_output(log_path: Path, verbose: bool) -> Iterator[TextIO]:
    """Send everything written to stdout and stderr inside the block to ``log_path``; yields a
    stream to the console for the progress display.

    Without ``verbose`` the process's file descriptors 1 and 2 themselves point at the log file, so
    Dagster's console logger, warnings, C libraries and child processes all land there; with
    ``verbose`` Python's ``sys.stdout``/``sys.stderr`` write to both the console and the log.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    with log_path.open("a", encoding="utf-8", buffering=1) as log:
        if verbose:
            with redirect_stdout(_Tee(sys.stdout, log)), redirect_stderr(_Tee(sys.stderr, log)):
                yield sys.__stdout__
            return
        saved = os.dup(1), os.dup(2)
        console = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
        try:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            with redirect_stdout(log), redirect_stderr(log):
                yield console
        finally:
            for stream in (sys.stdout, sys.stderr, log):
                stream.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            console.close()


# Release partitions are obtained a range per run (``BackfillPolicy.single_run``), which Dagster
# 1.13 still labels beta, once for every asset on every definitions load (pyproject.toml filters
# the same warning for the tests).
BACKFILL_POLICY_WARNING = "Parameter `backfill_policy` of function `asset` is currently in beta"


def quiet_known_warnings() -> None:
    """Show each warning once, and not at all the beta warning above, in this process and in the
    Python processes it starts (through ``PYTHONWARNINGS``)."""
    warnings.simplefilter("once")
    warnings.filterwarnings("ignore", message=BACKFILL_POLICY_WARNING)
    add_python_warnings_filter(os.environ, f"ignore:{BACKFILL_POLICY_WARNING}")


def add_python_warnings_filter(env, entry: str) -> None:
    """Add ``entry`` (``action:message``) to ``env``'s PYTHONWARNINGS, for the Python processes started with it."""
    entries = [e for e in env.get("PYTHONWARNINGS", "").split(",") if e]
    env["PYTHONWARNINGS"] = ",".join(entries + [entry] * (entry not in entries))
