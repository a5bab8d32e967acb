"""``python -m sc_neurocore.accel.bench chart RESULTS.json ...``: redraw committed charts.

Each results file's chart is drawn again from the file alone, next to it
(``bench-<host>.json`` -> ``bench-<host>.png``); no study is run.  The study
itself runs with ``python -m sc_neurocore.accel bench``.
"""

from __future__ import annotations

import sys

from .report import main


def _run(argv: list[str]) -> int:
    if not argv or argv[0] != "chart":
        print("usage: python -m sc_neurocore.accel.bench chart RESULTS.json [...]\n"
              "(the timing study itself: python -m sc_neurocore.accel bench)", file=sys.stderr)
        return 2
    return main(argv[1:])


if __name__ == "__main__":
    raise SystemExit(_run(sys.argv[1:]))
