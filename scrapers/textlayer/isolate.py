"""Converting a file someone else made in a separate process, with a memory and a time limit.

A PDF is a program for its reader: a 0.13 MB file whose content stream inflates to 64 MB of path operators
makes PDFium allocate 1.3 GB and work for 9 s; one four times that size takes 5 GB. `convert_isolated` runs
`scrapers.textlayer.convert` in a child process (`python -m scrapers.textlayer.worker`) whose address
space is capped (RLIMIT_AS, `memory_mb`) and which is killed after `timeout_s`, so a bad file costs that
file only: ConversionError says which limit it hit, and the scrape carries on. Starting the child costs
about a tenth of a second per file (measured in tests/scrapers/test_bad_files.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from scrapers.textlayer.convert import CONVERTERS, ConversionError, FileText

DEFAULT_MEMORY_MB = 1024  # CARBONPEAK_CONVERT_MEMORY_MB
DEFAULT_TIMEOUT_S = 60.0  # CARBONPEAK_CONVERT_TIMEOUT
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding the carbonpeak package


class ResourceLimitError(ConversionError):
    """The file needed more memory or time than the converter is given (a decompression bomb, or a genuinely
    huge file: the message says which setting to raise)."""


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p)
    return env


def convert_isolated(content: bytes, kind: str, *, memory_mb: int = DEFAULT_MEMORY_MB,
                     timeout_s: float = DEFAULT_TIMEOUT_S) -> FileText:
    """`convert(content, kind)` in a child process limited to `memory_mb` MiB of address space and `timeout_s`
    seconds. Raises ConversionError for a file that is not readable, ResourceLimitError for one that hit a
    limit."""
    if kind not in CONVERTERS:
        raise ConversionError(f"no converter for {kind} files (only {', '.join(CONVERTERS)})")
    timed_out = threading.Event()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scrapers.textlayer.worker", kind, str(memory_mb)],
            stdin=subprocess.PIPE, stdout=out, stderr=err, env=_child_env(),
        )

        def kill() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout_s, kill)
        timer.start()
        try:
            assert proc.stdin is not None
            try:
                proc.stdin.write(content)
                proc.stdin.close()
            except BrokenPipeError:  # the child died before reading it all; its status says why
                pass
            # wait4, not Popen.wait: it also gives the child's peak resident memory.
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        peak_mb = usage.ru_maxrss // 1024  # Linux: KiB
        out.seek(0)
        answer_bytes = out.read()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace").strip()

    if timed_out.is_set():
        raise ResourceLimitError(f"reading the {kind} took longer than the {timeout_s:g} s time limit "
                                 "(a decompression bomb, or a huge file: raise CARBONPEAK_CONVERT_TIMEOUT if it is "
                                 "genuine)")
    memory_message = (f"reading the {kind} exceeded the memory limit of {memory_mb} MiB (it stopped at {peak_mb} "
                      "MiB): a decompression bomb, or a huge file (raise CARBONPEAK_CONVERT_MEMORY_MB if it is "
                      "genuine)")
    if code < 0:
        # PDFium aborts (SIGABRT) when an allocation fails; a process near its limit may also die of SIGSEGV.
        if peak_mb >= memory_mb * 0.8:
            raise ResourceLimitError(memory_message)
        raise ConversionError(f"the {kind} reader crashed ({signal.Signals(-code).name}, {peak_mb} MiB)"
                              + (f": {stderr.splitlines()[-1]}" if stderr else ""))
    if code != 0:
        last = stderr.splitlines()[-1] if stderr else f"exit status {code}"
        raise ConversionError(f"the {kind} reader failed: {last}")
    answer = json.loads(answer_bytes)
    if "error" in answer:
        if answer.get("memory"):
            raise ResourceLimitError(memory_message)
        raise ConversionError(answer["error"])
    return FileText(**answer)
