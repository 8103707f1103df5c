#!/usr/bin/env python3
"""Concurrent history: N interactive bnq shells on real pseudo-terminals write STATEMENTS each at
once into one history database; one shell is killed with SIGKILL half way. Then every statement
a shell finished (its prompt came back) must be in the database exactly once. Finally the
database file is corrupted and a new shell must move it aside and keep working.

Usage: history_shells.py BNQ WORKDIR [SHELLS] [STATEMENTS]
Prints one JSON object: tried, kept, lost, repeated, killed_in_flight, corrupt_recovered.
"""
import json
import os
import pty
import signal
import sqlite3
import sys
import threading
import time

PROMPT = b"bnq demo> "


class Shell:
    def __init__(self, bnq, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(bnq, [bnq], env)
        self.buffer = b""

    def read_until(self, marker, timeout=60):
        """Reads until `marker` has been printed and a prompt after it: the statement finished."""
        deadline = time.monotonic() + timeout
        while True:
            at = self.buffer.find(marker) if marker else 0
            if at >= 0 and PROMPT in self.buffer[at + len(marker):]:
                self.buffer = b""
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"no prompt after {timeout}s; last output: {self.buffer[-300:]!r}")
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                raise EOFError("the shell exited")
            if not chunk:
                raise EOFError("the shell exited")
            self.buffer += chunk

    def send(self, line):
        os.write(self.fd, line.encode() + b"\r")


def environment(work):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BYTENITE") and not k.startswith("BNQ_")}
    env.update(HOME=work, XDG_STATE_HOME=os.path.join(work, "state"), XDG_CONFIG_HOME=os.path.join(work, "config"),
               TERM="xterm", COLUMNS="200", LINES="50", SWIFT_BACKTRACE="enable=no")
    return env


def run_shell(index, bnq, env, statements, kill_at, results):
    shell = Shell(bnq, env)
    finished = []
    in_flight = None
    try:
        shell.read_until(b"")
        for number in range(statements):
            name = f"shell{index}-{number:05d}"
            text = f"explain count where name == '{name}'"
            shell.send(text)
            if number == kill_at:
                in_flight = text
                time.sleep(0.002)
                os.kill(shell.pid, signal.SIGKILL)
                break
            # explain shows the value in double quotes; the echoed line has it in single quotes.
            shell.read_until(f'"{name}"'.encode())
            finished.append(text)
        else:
            shell.send(".quit")
    except Exception as error:  # a shell that dies on its own is a finding, reported below
        results[index] = {"finished": finished, "in_flight": in_flight, "error": str(error)}
        return
    finally:
        try:
            os.waitpid(shell.pid, 0)
        except ChildProcessError:
            pass
        os.close(shell.fd)
    results[index] = {"finished": finished, "in_flight": in_flight, "error": None}


def main():
    bnq, work = sys.argv[1], sys.argv[2]
    shells = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    statements = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    os.makedirs(work, exist_ok=True)
    env = environment(work)
    database = os.path.join(work, "state", "bnq", "history.sqlite")

    results = {}
    threads = [threading.Thread(target=run_shell, args=(i, bnq, env, statements, statements // 2 if i == shells - 1 else -1, results))
               for i in range(shells)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started

    with sqlite3.connect(database) as db:
        counts = dict(db.execute("SELECT text, count(*) FROM history GROUP BY text").fetchall())
    tried = sum(len(r["finished"]) for r in results.values())
    lost = [t for r in results.values() for t in r["finished"] if counts.get(t, 0) == 0]
    repeated = [t for t, c in counts.items() if c > 1]
    in_flight = [r["in_flight"] for r in results.values() if r["in_flight"]]
    errors = [f"shell {i}: {r['error']}" for i, r in results.items() if r["error"]]
    expected = {t for r in results.values() for t in r["finished"]} | set(in_flight)
    strangers = [t for t in counts if t not in expected]

    # Corrupt the database, then a new shell must move it aside, say so, and keep history again.
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(database + suffix) and suffix:
            os.remove(database + suffix)
    with open(database, "r+b") as file:
        file.seek(0)
        file.write(b"this is not a database" * 200)
    shell = Shell(bnq, env)
    transcript = b""
    recovered = False
    try:
        shell.read_until(b"")
        shell.send("explain count where name == 'after-corruption'")
        transcript = shell.buffer
        shell.read_until(b'"after-corruption"')
        shell.send(".quit")
        os.waitpid(shell.pid, 0)
        with sqlite3.connect(database) as db:
            after = [row[0] for row in db.execute("SELECT text FROM history")]
        aside = [name for name in os.listdir(os.path.dirname(database)) if name.startswith("history.sqlite.corrupt")]
        recovered = after == ["explain count where name == 'after-corruption'"] and len(aside) == 1
    except Exception as error:
        errors.append(f"after corruption: {error}; {transcript[-300:]!r}")

    print(json.dumps({
        "shells": shells, "statements_per_shell": statements, "seconds": round(seconds, 1),
        "tried": tried, "kept": tried - len(lost), "lost": len(lost), "repeated": len(repeated),
        "unexpected": len(strangers), "killed_in_flight_kept": sum(1 for t in in_flight if counts.get(t, 0) == 1),
        "killed_in_flight": len(in_flight), "corrupt_recovered": recovered, "errors": errors,
        "examples": {"lost": lost[:3], "repeated": repeated[:3], "unexpected": strangers[:3]},
    }))


if __name__ == "__main__":
    main()
