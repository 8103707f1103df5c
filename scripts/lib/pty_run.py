#!/usr/bin/env python3
"""Runs a command on a real pseudo-terminal and prints everything it wrote there, raw.

Usage: pty_run.py [--line TEXT]... -- COMMAND [ARG...]
With --line, each TEXT is typed at the shell's prompt ("bnq ...> ") once the prompt shows,
then Ctrl-D. Without, the command's output on the terminal is captured until it exits.
The exit status is written to standard error as "exit=N".
"""
import os
import pty
import re
import sys
import time

PROMPT = re.compile(rb"bnq [^\r\n]*> $")


def main():
    args = sys.argv[1:]
    lines = []
    while args and args[0] == "--line":
        lines.append(args[1])
        args = args[2:]
    if args and args[0] == "--":
        args = args[1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(args[0], args)
    output = b""
    pending = list(lines)
    interactive = bool(lines)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if interactive and PROMPT.search(output):
            if pending:
                os.write(fd, pending.pop(0).encode() + b"\r")
            else:
                os.write(fd, b"\x04")
                interactive = False
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(output)
    sys.stderr.write(f"exit={os.waitstatus_to_exitcode(status)}\n")


if __name__ == "__main__":
    main()
