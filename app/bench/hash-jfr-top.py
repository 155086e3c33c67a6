#!/usr/bin/env python3
"""Summarises `jfr print --events jdk.ExecutionSample` text output: CPU samples by thread group, by
top frame, by the package of the top frame, and the top frames of the busiest thread groups.
A hint of where the service spends its CPU (Java frames only), not a full profile.

Usage: python3 hash-jfr-top.py samples.txt [N]
"""
import collections
import re
import sys


def package(frame: str) -> str:
    name = frame.split("(")[0]
    parts = name.split(".")
    return ".".join(parts[:3]) if len(parts) > 3 else ".".join(parts[:-1])


def main() -> None:
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    threads = collections.Counter()
    frames = collections.Counter()
    packages = collections.Counter()
    per_thread: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    total = 0
    thread = None
    stack: list[str] = []
    in_stack = False
    with open(path, encoding="utf-8", errors="replace") as text:
        for line in text:
            stripped = line.strip()
            if stripped.startswith("jdk.ExecutionSample"):
                thread, stack, in_stack = None, [], False
            elif stripped.startswith("sampledThread"):
                match = re.search(r'"(.*)"', stripped)
                thread = match.group(1) if match else stripped
            elif stripped.startswith("stackTrace = ["):
                in_stack = True
            elif in_stack and stripped == "]":
                in_stack = False
            elif in_stack and stripped and stripped != "...":
                stack.append(re.sub(r"\s+line:.*$", "", stripped))
            elif stripped == "}" and thread is not None:
                total += 1
                group = re.sub(r"[-#]?\d+$", "-N", thread)
                threads[group] += 1
                if stack:
                    frames[stack[0]] += 1
                    packages[package(stack[0])] += 1
                    per_thread[group][stack[0]] += 1
                thread = None
    if not total:
        print("no CPU samples recorded")
        return

    def show(title: str, counter: collections.Counter, n: int, indent: str = "  ") -> None:
        print(f"{title}")
        for name, count in counter.most_common(n):
            print(f"{indent}{100.0 * count / total:5.1f}%  {count:6d}  {name[:160]}")

    show(f"CPU samples by thread group ({total} samples)", threads, top)
    show("by package of the top frame", packages, top)
    show("by top frame", frames, top)
    for group, _ in threads.most_common(3):
        show(f"top frames in {group}", per_thread[group], 6, "    ")


if __name__ == "__main__":
    main()
