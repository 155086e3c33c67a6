"""CPU use per thread group of a process, read from /proc; shared by hash-bench.py and hash-load.py."""

import glob
import os
import re

TICK = os.sysconf("SC_CLK_TCK")


def threads_cpu(pid: int | None) -> dict[str, float]:
    """CPU seconds used so far by each thread of the service, grouped by name without its number."""
    if not pid:
        return {}
    groups: dict[str, float] = {}
    for task in glob.glob(f"/proc/{pid}/task/*/stat"):
        try:
            with open(task, encoding="utf-8", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        seconds = (int(fields[11]) + int(fields[12])) / TICK
        group = re.sub(r"[-#]?\d+$", "-N", name.strip())
        groups[group] = groups.get(group, 0.0) + seconds
    return groups
