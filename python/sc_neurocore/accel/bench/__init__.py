"""Every timing harness of ``sc_neurocore.accel``, and nothing else ([design: measurement][measurement]).

The backend modules hold their backends only; what measures them lives here:

* ``study`` — the timing study
  (``python -m sc_neurocore.accel bench``): W1–W3 on every backend, the
  contended rows, the NumPy baseline, accuracy against stream length, the
  extras and the MPI rows;
* ``workloads`` — the standard shapes and inputs;
* ``timing`` — the median timers;
* ``contention`` — CPU-bound processes for the
  contended rows;
* ``first_calls`` — the Rust engine's first calls
  in fresh processes, default threads against one thread;
* ``reference_numpy`` — the reference release's
  NumPy path, modelled as a baseline;
* ``accuracy`` — RMSE against stream length;
* ``prepared_layers`` — prepared layers against packed weights: time per
  call against stream length, one-time costs, memory, the scale row;
* ``numba_extras``,
  ``jax_extras`` — per-backend extra rows;
* ``lgssm_extras`` — the Kalman filter and EM of
  ``world_model.predictive_model``, Rust backend against Python;
* ``mpi_bench`` — the MPI benchmark job and its
  launcher side;
* ``report`` — the table, the JSON and the chart;
* ``results`` — where studies are written and found, and this host's
  ranking, which backend selection (``"auto"``) reads.

The names below are re-exported so that ``from sc_neurocore.accel import
bench; bench.run_study(...)`` keeps working.
"""

from __future__ import annotations

from .report import format_table, host_slug, write_chart, write_results
from .results import host_key, measured_order
from .study import (
    ContendedRow,
    FirstCallsRow,
    Row,
    Study,
    StudyOptions,
    host_info,
    library_versions,
    rank_backends,
    run_study,
)
from .timing import median_time
from .workloads import SMOKE_WORKLOADS, WORKLOADS, Workload, make_inputs

__all__ = ["ContendedRow", "FirstCallsRow", "Row", "SMOKE_WORKLOADS", "Study", "StudyOptions",
           "WORKLOADS", "Workload", "format_table", "host_info", "host_key", "host_slug",
           "library_versions", "make_inputs", "measured_order", "median_time", "rank_backends",
           "run_study", "write_chart", "write_results"]
