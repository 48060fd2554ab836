"""Giving a reading's peak memory back to the system.

A large image costs hundreds of megabytes for a moment (the pixels, the engines' buffers); glibc
keeps what is freed for later use, so without this a worker that read one large file would sit at
its peak (1.6-2.8 GB were seen) until it is restarted. Trimming costs a little each time (freed
pages are faulted in again on the next reading), so it is done only past a ceiling.
"""

import ctypes
import functools
import os

#: A process holding more than this after a detection gives back the heap memory it freed (PP-OCR's
#: models and a worker's steady state stay under it: README "Engines").
TRIM_ABOVE_BYTES = 384 * 1024 * 1024
#: After a whole reading, only a peak is worth trimming: a worker with both engines loaded sits
#: at 370-450 MiB, where trimming after every request would cost each the pages it faults back in.
PEAK_ABOVE_BYTES = 512 * 1024 * 1024
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int | None:
    """This process's resident memory, or None where /proc cannot tell."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE_BYTES
    except OSError:
        return None


def give_memory_back(above_bytes: int = TRIM_ABOVE_BYTES) -> None:
    """Return freed heap memory to the system (glibc's `malloc_trim`) once the process holds more
    than `above_bytes`. Nothing where the C library is not glibc."""
    libc = _glibc()
    resident = resident_bytes()
    if libc is not None and resident is not None and resident > above_bytes:
        libc.malloc_trim(0)


@functools.cache
def _glibc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None
