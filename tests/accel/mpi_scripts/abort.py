"""An uncaught exception on one rank while the others wait in a collective.

Launched by tests/accel/test_mpi_driver.py as ``mpiexec -n 2 python -m mpi4py abort.py``:
``python -m mpi4py`` turns the uncaught exception on rank 1 into ``MPI_Abort``,
so the whole job ends (non-zero exit) instead of rank 0 waiting forever in
``gather_results``.  Rank 1 fails outside any agreement step on purpose: this
is the case the library cannot catch by itself.
"""

import faulthandler

# Watchdog: if the launching test dies (or is killed) the ranks must not spin
# in MPI forever on a shared machine; each rank ends itself after 300 s.
faulthandler.dump_traceback_later(300, exit=True)
import numpy as np
from sc_neurocore.accel.mpi_driver import MPIDriver

driver = MPIDriver()
if driver.rank == 1:
    raise RuntimeError("uncaught failure on rank 1")
driver.gather_results(np.zeros((1, 2)))
print("rank 0 left gather_results: the job was not aborted", flush=True)
