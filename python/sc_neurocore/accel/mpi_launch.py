"""Launching ``mpiexec`` jobs from Python: the test suite's and the timing study's launcher.

[`run_mpi`][sc_neurocore.accel.mpi_launch.run_mpi] starts ``mpiexec -n N <args>`` in its own
process group with a timeout (on expiry the whole group is ended, so no rank is left spinning) and
returns what the job printed.  [`find_mpiexec`][sc_neurocore.accel.mpi_launch.find_mpiexec]
looks next to the running interpreter first (a venv's ``bin/``, where the MPICH wheel installs
``mpiexec``), then on ``PATH``;
[`mpiexec_command`][sc_neurocore.accel.mpi_launch.mpiexec_command] adds the flags Open MPI needs
for a local launch; [`subprocess_env`][sc_neurocore.accel.mpi_launch.subprocess_env] makes this
package importable in the ranks.

This module never imports ``mpi4py``: the launching process does not
become an MPI process itself.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ._install import install_hint

__all__ = ["MPIEXEC_MISSING", "MPIRun", "find_mpiexec", "mpi_flavour", "mpiexec_command",
           "run_mpi", "subprocess_env"]


def find_mpiexec() -> str | None:
    """Path of ``mpiexec``: next to ``sys.executable`` (a venv's bin) first, then PATH.

    Returns
    -------
    str or None
        The first of ``<dir of sys.executable>/mpiexec``, ``mpiexec`` and
        ``mpirun`` on ``PATH`` that exists, else ``None``.
    """
    local = Path(sys.executable).parent / "mpiexec"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    for name in ("mpiexec", "mpirun"):
        found = shutil.which(name)
        if found:
            return found
    return None


MPIEXEC_MISSING = ("mpiexec not found next to {python} or on PATH. Install an MPI runtime: "
                   "`make test` does it, or this project's mpi extra (mpi4py + the mpich "
                   "wheel, which ships mpiexec into the environment's bin/): "
                   # (braces escaped: the text is a str.format template)
                   + install_hint("mpi").replace("{", "{{").replace("}", "}}")
                   + ", or a system Open MPI / MPICH package")
"""The message for a missing ``mpiexec`` (``{python}``: the running interpreter's path)."""


def mpi_flavour(version_text: str) -> str:
    """``"openmpi"``, ``"mpich"`` or ``"unknown"`` from ``mpiexec --version`` output.

    Parameters
    ----------
    version_text : str
        What ``mpiexec --version`` printed.

    Returns
    -------
    str
        ``"openmpi"`` or ``"mpich"`` when the text names one of them, else ``"unknown"``.
    """
    text = version_text.lower()
    if "open mpi" in text or "open-mpi" in text or "openrte" in text or "prrte" in text:
        return "openmpi"
    if "hydra" in text or "mpich" in text:
        return "mpich"
    return "unknown"


def _flavour_of(mpiexec: str) -> str:
    try:
        done = subprocess.run([mpiexec, "--version"], capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return mpi_flavour(done.stdout + done.stderr)


def mpiexec_command(n: int, mpiexec: str | None = None) -> list[str]:
    """``[mpiexec, ..., "-n", n]`` for a local launch, oversubscribing when needed.

    Open MPI refuses more ranks than cores unless given ``--oversubscribe``;
    MPICH (Hydra) needs no flag.

    Parameters
    ----------
    n : int
        Number of ranks.
    mpiexec : str, optional
        The ``mpiexec`` to use (default: [`find_mpiexec`][sc_neurocore.accel.mpi_launch.find_mpiexec]).

    Returns
    -------
    list of str
        The command line up to the program to run.

    Raises
    ------
    FileNotFoundError
        If no ``mpiexec`` can be found (the message says how to install one).
    """
    mpiexec = mpiexec or find_mpiexec()
    if mpiexec is None:
        raise FileNotFoundError(MPIEXEC_MISSING.format(python=sys.executable))
    cmd = [mpiexec]
    if _flavour_of(mpiexec) == "openmpi":
        cmd.append("--oversubscribe")
    return cmd + ["-n", str(int(n))]


def subprocess_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for launched ranks: this package importable, Open MPI allowed as root.

    Parameters
    ----------
    extra : dict of str to str, optional
        Variables added last (they win over the others).

    Returns
    -------
    dict of str to str
        A copy of ``os.environ`` with this package's source folder first on
        ``PYTHONPATH`` (and, when running as root, Open MPI's run-as-root switches).
    """
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])  # .../python
    parts = [package_root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(parts))
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class MPIRun:
    """Outcome of [`run_mpi`][sc_neurocore.accel.mpi_launch.run_mpi].

    Attributes
    ----------
    returncode : int or None
        ``mpiexec``'s exit status (``None`` if it could not be collected).
    stdout : str
        What the job printed on standard output (every rank's, interleaved).
    stderr : str
        What the job printed on standard error.
    timed_out : bool
        Whether the timeout ended the job (its process group was terminated).
    command : list of str
        The command line that was run.
    """

    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool
    command: list[str]

    def tail(self, chars: int = 4000) -> str:
        """The end of stdout and stderr, for error messages.

        Parameters
        ----------
        chars : int
            At most this many trailing characters of each stream.

        Returns
        -------
        str
            The command, the return code, then the end of stdout and of stderr.
        """
        return (f"command: {' '.join(self.command)}\nreturn code: {self.returncode}"
                f"{' (timed out)' if self.timed_out else ''}\n--- stdout ---\n"
                f"{self.stdout[-chars:]}\n--- stderr ---\n{self.stderr[-chars:]}")


def run_mpi(n: int, args: Sequence[str], *, timeout: float,
            env: dict[str, str] | None = None) -> MPIRun:
    """Run ``mpiexec -n n <args>`` and wait at most ``timeout`` seconds.

    The job runs in its own process group; on timeout the whole group (mpiexec
    and every rank it started) is terminated, so no rank is left spinning.

    Parameters
    ----------
    n : int
        Number of ranks.
    args : sequence of str
        The program and its arguments (e.g. ``[sys.executable, "-m", ...]``).
    timeout : float
        Seconds to wait before the job's process group is terminated.
    env : dict of str to str, optional
        The ranks' environment (default:
        [`subprocess_env`][sc_neurocore.accel.mpi_launch.subprocess_env]`()`).

    Returns
    -------
    MPIRun
        The return code, the captured output and whether the timeout ended the job.

    Raises
    ------
    FileNotFoundError
        If no ``mpiexec`` can be found.
    """
    cmd = mpiexec_command(n) + list(args)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env or subprocess_env(), start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        return MPIRun(proc.returncode, out, err, False, cmd)
    except subprocess.TimeoutExpired:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                out, err = proc.communicate(timeout=5)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            out, err = proc.communicate()
        return MPIRun(proc.returncode, out or "", err or "", True, cmd)
