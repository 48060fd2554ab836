"""Peak memory of a process, for the benchmarks; importable without Django, so a contained child
(`ocr_engine.contained`) can run `built_with_peak` and say what it held."""


def peak_resident_kib() -> int:
    """This process's peak resident memory since it began running Python (VmHWM: unlike
    getrusage's maxrss, which keeps the high-water mark of the parent it was forked from)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def built_with_peak(build, outputs) -> int:
    """`build(outputs=outputs)`, then this process's peak, in KiB."""
    build(outputs=outputs)
    return peak_resident_kib()
