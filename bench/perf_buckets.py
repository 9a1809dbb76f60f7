#!/usr/bin/python3
"""Where tocsin's CPU time goes, from a perf profile: every sample of `perf script` (stdin) is put
in the first bucket whose pattern matches a frame of its call chain, so a sample inside
fdatasync counts as disk even though SQLite called it, and a sample in malloc called from jansson
counts as JSON. Prints a Markdown table of the buckets' shares of all samples.

    perf script -i perf.data | /usr/bin/python3 bench/perf_buckets.py

Debian's libraries have no frame pointers, so user-space chains are often cut short: a sample
in libc whose caller is lost lands in "malloc/free/memcpy" or "other libc", not with its caller.
"""
import collections
import re
import sys
RULES = [
    ("SQLite disk (pwrite, fdatasync)", r"fdatasync|do_fsync|pwrite64|ext4_|__libc_pwrite"),
    ("wakeups (futex, eventfd/pipe, scheduler)", r"futex|eventfd|pipe_write|pipe_read|finish_task_switch|__schedule|try_to_wake_up"),
    ("HTTP sockets (send, recv, epoll, accept)", r"sendmsg|recvfrom|__libc_recv|tcp_|epoll|accept|sock_|__sys_shutdown|inet_"),
    ("HTTP parsing (libmicrohttpd)", r"libmicrohttpd"),
    ("JSON (jansson, tocsin's jsonfast/jsonv)", r"libjansson|jsonfast|jsonv|string_token|parse_value|dump_string|json_"),
    ("hashing (libsodium)", r"libsodium|crypto_"),
    ("SQLite CPU", r"libsqlite3"),
    ("malloc/free/memcpy (libc)", r"malloc|free|memmove|memset|memcpy|cfree|_int_|unlink_chunk|madvise"),
    ("other tocsin", r"\(.*?/tocsin\)"),
    ("other libc", r"libc\.so"),
    ("other kernel", r"kernel"),
]
RULES = [(n, re.compile(p)) for n, p in RULES]
counts = collections.Counter(); total = 0; chain = []
def flush():
    global total
    if not chain: return
    total += 1
    for name, rx in RULES:
        if any(rx.search(f) for f in chain):
            counts[name] += 1; return
    counts["unknown"] += 1
for line in sys.stdin:
    if not line.strip():
        flush(); chain = []
    elif line.startswith(("\t", " ")):
        chain.append(line.strip())
flush()
for name, _ in RULES + [("unknown", None)]:
    if counts[name]:
        print(f"| {name} | {100 * counts[name] / total:.1f}% |")
print(f"| samples | {total} |")
