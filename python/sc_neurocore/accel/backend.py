"""Backend registry, selection and the ``sc_forward`` entry point ([design: selector][selector]).

A backend is one [`Backend`][sc_neurocore.accel.backend.Backend] subclass plus
one registry entry (name -> class, or ``"module:Class"`` imported lazily so that
a missing or slow optional dependency costs nothing until that backend is asked
for).  [`sc_forward`][sc_neurocore.accel.backend.sc_forward] resolves the
``backend`` argument (a name, ``"auto"`` or a `Backend` instance) and runs it.

Whatever a backend implements, the arguments it receives have already been
validated, once, by the shared rules of [design: errors][errors].

The order in which ``"auto"`` tries the backends comes from this host's newest
timing study where there is one
([`measured_order`][sc_neurocore.accel.bench.measured_order]), else from
[`PRIORITY`][sc_neurocore.accel.backend.PRIORITY].
"""

from __future__ import annotations

__all__ = [
    "Backend", "NumpyBackend", "RustBackend", "BackendStatus", "PRIORITY", "RESEARCH_MIRRORS",
    "available_backends", "backend_status", "get_backend", "register_backend", "sc_forward",
    "selection_order",
]

from sc_neurocore._public import publish

from ._backends.base import Backend, BackendStatus
from ._backends.on_numpy import NumpyBackend
from ._backends.on_rust import RustBackend
from ._registry import (
    PRIORITY,
    RESEARCH_MIRRORS,
    available_backends,
    backend_status,
    get_backend,
    register_backend,
    sc_forward,
    selection_order,
)

publish(__name__, globals(), __all__)
