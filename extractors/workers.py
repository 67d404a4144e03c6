"""Worker processes, one rule for every reader that uses them: the ruled reader's pages
(extractors/ruled.py), camelot's cross-check (extractors/camelot_tables.py) and the review's page images
(pipeline/publish/render.py). How many (`workers`) and how each starts (`worker_pool`, `worker_init`) are
decided here once, so that ``RENKEI_WORKERS`` means the same to all of them."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

MIN_PARALLEL_PAGES = 4  # below this, starting workers and opening the PDF in each costs more than it saves
MAX_WORKERS = 4


def workers(n_pages: int) -> int:
    """How many processes read (or render) the pages: ``RENKEI_WORKERS`` if set, else the CPUs this process
    may run on (at most `MAX_WORKERS`); 1 (read here) for fewer than `MIN_PARALLEL_PAGES` pages or one CPU."""
    import os

    setting = os.environ.get("RENKEI_WORKERS", "").strip()
    if setting:
        try:
            wanted = int(setting)
        except ValueError:
            wanted = 1
    else:
        try:
            cpus = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cpus = os.cpu_count() or 1
        wanted = min(cpus, MAX_WORKERS)
    if wanted < 2 or n_pages < MIN_PARALLEL_PAGES:
        return 1
    return min(wanted, n_pages)


def worker_pool(count: int) -> ProcessPoolExecutor:
    """``count`` worker processes, each set up by `worker_init`. fork where there is one: the workers start
    with this process's imports (no second start-up) and all of them at the first submit; spawn elsewhere."""
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context(method),
                               initializer=worker_init)


def worker_init() -> None:
    """Each worker process's set-up (`worker_pool`)."""
    import gc
    import logging
    import signal

    # The objects inherited from the parent (its imports) are never garbage here: out of the collector's
    # way, so that a worker's collections look at its own objects only.
    # pdfminer allocates many short-lived objects: collect the youngest generation every 10,000 rather
    # than 700 allocations (~0.05 s less per build here; a worker lives for one document).
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)

    # Ctrl-C reaches the whole process group: the parent reports it (and stops the workers), not each worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # As the CLI does: pdfminer's records go only to the recorders of pdfguard, never to stderr.
    logging.getLogger("pdfminer").addHandler(logging.NullHandler())
    logging.getLogger("pdfminer").propagate = False
