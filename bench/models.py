"""bench/models.py - the models table of `make bench` (bench/run imports it).

Every server model side by side, each figure measured in this run:

  CPU per request at 8 clients   `ab -n R -c 8` against a fresh server; the
                                 server is then stopped and waited for with
                                 wait4(), whose rusage is the CPU (user +
                                 system) of the server, its threads, and
                                 every child it reaped: UNP's measure of a
                                 model's cost; divided by the requests. The
                                 median of --runs fresh servers.
  requests/s at 8 clients        ab's figure, the same runs.
  requests/s, 100 clients        90 fast clients (`ab -t T -c 90`) while 10
  (10 slow)                      slow ones trickle a request that never ends
                                 (one byte every 0.5 s, a new connection
                                 when the server closes one), against a
                                 fresh server with its default --timeout.
  memory at 1,000 idle           `cli-connect --idle 1000` held against a
                                 fresh server with --timeout 0: the Pss
                                 (/proc/PID/smaps_rollup) of the server and
                                 all its descendants (threads share their
                                 process's), less what it was before, per
                                 connection the server holds.
  most idle held                 `cli-connect --idle 10000` against the same
                                 server: how many connections the server
                                 itself holds (sockets open in its processes)
                                 when the count settles, or when it fails.

A model whose binary is not built is a row of "n/a (not built)".
"""
import os
import re
import shlex
import signal
import socket
import subprocess
import threading
import time

BACKLOG = 1024  # so that no burst is cut by the listen queue (lesson 2)
SLOW_REQUEST = b"GET /slow HTTP/1.1\r\nX-Slow: "  # then 'a' for ever


def models(ctx, B):
    """The rows: [{key, label, argv, timeout}] (argv without --port...);
    each row that cannot run has "missing" instead."""
    a = ctx.args
    rows = []

    def add(key, label, path, args=(), timeout=True, need=None):
        row = {"key": key, "label": label, "timeout": timeout}
        if path is None or not os.access(path, os.X_OK):
            row["missing"] = "n/a (not built)"
        elif need and need not in B.help_text(path):
            row["missing"] = "n/a (no %s)" % need
        else:
            row["argv"] = [path] + list(args)
        rows.append(row)

    b, r = a.bin, a.ref_bin
    add("ref-iter", "ref-iter (baseline)", os.path.join(r, "ref-iter"), timeout=False)
    add("ref-fork", "ref-fork (baseline)", os.path.join(r, "ref-fork"), timeout=False)
    add("srv-iter", "srv-iter", os.path.join(b, "srv-iter"), ["--quiet"])
    add("srv-fork", "srv-fork", os.path.join(b, "srv-fork"),
        ["--quiet", "--max-children", "10000"])
    add("srv-prefork", "srv-prefork", os.path.join(b, "srv-prefork"), ["--quiet"])
    add("srv-thread", "srv-thread", os.path.join(b, "srv-thread"), ["--quiet"])
    add("srv-thread-pool", "srv-thread --pool %d" % a.pool, os.path.join(b, "srv-thread"),
        ["--quiet", "--pool", str(a.pool)], need="--pool")
    for api in ("select", "poll", "epoll"):
        add("srv-poll-" + api, "srv-poll --api " + api, os.path.join(b, "srv-poll"),
            ["--quiet", "--api", api])
    add("srv-poll-defer", "srv-poll --api epoll --defer-accept", os.path.join(b, "srv-poll"),
        ["--quiet", "--api", "epoll", "--defer-accept"], need="--defer-accept")
    return rows


def shown(ctx, argv):
    """A command as a reader types it: the tool's name, not its path."""
    return " ".join(shlex.quote(x) for x in [os.path.basename(argv[0])] + argv[1:])


# ------------------------------------------------------------ processes


def tree(pid):
    """pid and all its descendants (through every thread's children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            tasks = os.listdir("/proc/%d/task" % p)
        except OSError:
            continue
        for t in tasks:
            try:
                with open("/proc/%d/task/%s/children" % (p, t)) as f:
                    todo.extend(int(x) for x in f.read().split())
            except OSError:
                pass
    return out


def pss_kib(pids):
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def sockets(pids):
    """The socket inodes open in these processes."""
    out = set()
    for p in pids:
        d = "/proc/%d/fd" % p
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for n in names:
            try:
                t = os.readlink(os.path.join(d, n))
            except OSError:
                continue
            if t.startswith("socket:"):
                out.add(t)
    return out


def start(ctx, B, row, extra, tag):
    argv = row["argv"] + ["--port", "0", "--backlog", str(BACKLOG)] + extra
    return B.Server("%s (%s)" % (row["label"], tag), argv, ctx).start()


def stop_with_rusage(s):
    """SIGTERM, then wait4(): the rusage of the server, its threads and the
    children it reaped. SIGKILL after 10 s."""
    pid = s.proc.pid
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    end = time.monotonic() + 10
    ru = None
    while True:
        got, status, ru = os.wait4(pid, os.WNOHANG)
        if got == pid:
            s.proc.returncode = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > end:
            os.kill(pid, signal.SIGKILL)
            end += 5
        time.sleep(0.01)
    try:
        os.killpg(pid, signal.SIGKILL)  # anything it left behind
    except (ProcessLookupError, PermissionError):
        pass
    return ru


# ------------------------------------------------------------- clients


class SlowClients:
    """n clients that trickle a request that never ends, one byte every
    `every` s each; a new connection when the server closes one."""

    def __init__(self, port, n, every=0.5):
        self.port, self.n, self.every = port, n, every
        self.socks = [None] * n
        self.reconnects = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        sent = [0] * self.n
        while not self.done.is_set():
            for i in range(self.n):
                s = self.socks[i]
                try:
                    if s is None:
                        s = socket.socket()
                        s.settimeout(1)
                        s.connect(("127.0.0.1", self.port))
                        s.setblocking(False)
                        self.socks[i], sent[i] = s, 0
                    try:
                        s.recv(4096)  # a reply (408), or b"": closed
                        raise ConnectionError  # this one is over
                    except BlockingIOError:
                        pass  # nothing: the server still waits for it
                    byte = SLOW_REQUEST[sent[i]:sent[i] + 1] or b"a"
                    s.send(byte)
                    sent[i] += 1
                except OSError:
                    if s is not None:
                        s.close()
                    self.socks[i] = None
                    self.reconnects += 1
            self.done.wait(self.every)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()
        for s in self.socks:
            if s is not None:
                s.close()


def ab_timed(ctx, port, secs, c):
    """`ab -t secs -c c`: requests completed per second of the run."""
    cmd = ctx.pin(1) + ["ab", "-q", "-r", "-s", "10", "-t", "%g" % secs,
                        "-c", str(c), "http://127.0.0.1:%d/hello" % port]
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=secs + 60)
    except subprocess.TimeoutExpired:
        return {"error": "ab timed out"}
    done = re.search(r"^Complete requests:\s+(\d+)", r.stdout, re.M) or \
        re.search(r"Total of (\d+) requests completed", r.stdout + r.stderr)
    took = re.search(r"^Time taken for tests:\s+([\d.]+)", r.stdout, re.M)
    if not done and "timeout specified has expired" in r.stderr:
        # No reply at all for 10 s (-s 10): ab gives up, and says nothing
        # of what it had.
        return {"rps": 0.0, "stalled": True}
    if not done:
        why = (r.stderr.strip() or r.stdout.strip()).splitlines()
        return {"error": "ab: " + (why[-1] if why else "exit %d" % r.returncode)}
    bad = sum(int(m.group(1)) for m in re.finditer(
        r"^(?:Failed requests|Non-2xx responses):\s+(\d+)", r.stdout, re.M))
    n = int(done.group(1))
    t = float(took.group(1)) if took else secs
    return {"rps": (n - bad) / t if t > 0 else float("nan"), "complete": n, "failed": bad,
            "seconds": t}


def hold_idle(ctx, cli, s, n, base, deadline=30.0):
    """cli-connect --idle n against server s, held; returns (held by the
    server, Pss of its processes, whether it is still alive); then lets go
    and waits until the server has closed them."""
    out = os.path.join(ctx.tmp, "idle-%d-%d.out" % (s.proc.pid, n))
    with open(out, "wb") as f:
        client = subprocess.Popen(ctx.pin(1) + [cli, "--idle", str(n), "--hold", "600",
                                                "--timeout", "5", "127.0.0.1:%d" % s.port],
                                  stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
    try:
        end = time.monotonic() + deadline
        while time.monotonic() < end and client.poll() is None:
            with open(out, "rb") as f:
                if re.search(rb"^holding \d+ idle", f.read(), re.M):
                    break
            time.sleep(0.05)
        # The server side settles: all n, or no change for 1 s.
        held, last, since = 0, -1, time.monotonic()
        while time.monotonic() < end and s.proc.poll() is None:
            held = len(sockets(tree(s.proc.pid)) - base)
            if held >= n:
                break
            if held != last:
                last, since = held, time.monotonic()
            elif time.monotonic() - since > 1.0:
                break
            time.sleep(0.1)
        alive = s.proc.poll() is None
        pss = pss_kib(tree(s.proc.pid)) if alive else float("nan")
    finally:
        client.send_signal(signal.SIGTERM)
        try:
            client.wait(timeout=30)
        except subprocess.TimeoutExpired:
            client.kill()
            client.wait()
    end = time.monotonic() + 20
    while s.proc.poll() is None and time.monotonic() < end:
        if not sockets(tree(s.proc.pid)) - base:
            break
        time.sleep(0.1)
    return held, pss, alive


# -------------------------------------------------------------- figures


def figures(ctx, B, rows, cli, notes):
    a = ctx.args
    for row in rows:
        if "missing" in row:
            continue
        B.note("models: %s" % row["label"])
        row["command"] = shown(ctx, row["argv"] + ["--port", "0", "--backlog", str(BACKLOG)])
        # CPU and requests/s at 8 clients: fresh servers, wait4()'s rusage.
        cpu, rps = [], []
        for _ in range(a.model_runs):
            try:
                s = start(ctx, B, row, [], "8 clients")
            except B.BenchError as e:
                row["error"] = str(e)
                break
            r = B.run_ab(ctx, s.port, a.model_requests, 8)
            s.settle()
            ru = stop_with_rusage(s)
            if "error" in r or not r.get("complete"):
                notes.append("%s, 8 clients: %s" % (row["label"], r.get("error", "no request")))
                continue
            if r.get("failed"):
                notes.append("%s, 8 clients: %d of %d requests failed"
                             % (row["label"], r["failed"], r["complete"]))
            cpu.append((ru.ru_utime + ru.ru_stime) * 1e6 / r["complete"])
            rps.append(r["rps"])
        row["cpu_us"], row["rps8"] = B.median(cpu), B.median(rps)
        if "error" in row:
            notes.append(row["error"])
            continue
        # 100 clients, 10 of them slow (ab: its time limit).
        row["rps100"] = float("nan")
        if B.have_ab:
            try:
                s = start(ctx, B, row, [], "100 clients")
            except B.BenchError as e:
                notes.append(str(e))
            else:
                try:
                    with SlowClients(s.port, 10):
                        time.sleep(0.5)  # the slow ones are in
                        r = ab_timed(ctx, s.port, a.slow_seconds, 90)
                finally:
                    s.stop()
                if "error" in r:
                    notes.append("%s, 100 clients: %s" % (row["label"], r["error"]))
                if r.get("failed"):
                    notes.append("%s, 100 clients: %d of %d requests failed (not counted)"
                                 % (row["label"], r["failed"], r["complete"]))
                row["rps100"] = r.get("rps", float("nan"))
                row["stalled100"] = r.get("stalled", False)
        # Idle connections: memory at a.idle, then the most held.
        if cli is None:
            continue
        try:
            s = start(ctx, B, row, ["--timeout", "0"] if row["timeout"] else [], "idle")
        except B.BenchError as e:
            notes.append(str(e))
            continue
        try:
            time.sleep(0.1)
            base = sockets(tree(s.proc.pid))
            before = pss_kib(tree(s.proc.pid))
            held, pss, alive = hold_idle(ctx, cli, s, a.idle, base)
            row["idle_held"], row["idle_pss"] = held, pss
            if alive and held >= a.idle:
                row["idle_kib"] = (pss - before) / held
            held, _, alive = hold_idle(ctx, cli, s, a.idle_max, base, deadline=60.0)
            row["max_held"] = held
            if not alive:
                row["max_failed"] = s.output().splitlines()[-1:] or ["exited"]
        finally:
            s.stop()
    return rows


def report(ctx, B, rows, p):
    """The table, the commands, appended with p()."""
    a = ctx.args
    num = B.num
    p("| model (each with --port 0 --backlog %d) | CPU µs/req incl. children, 8 clients "
      "| requests/s, 8 clients | requests/s, 100 clients (10 slow) "
      "| Pss KiB at %d idle | KiB per idle connection | idle connections held (of %d) |"
      % (BACKLOG, a.idle, a.idle_max))
    p("|---|---|---|---|---|---|---|")
    for row in rows:
        if "missing" in row or "error" in row:
            why = row.get("missing") or row["error"].replace("|", "/")[:60]
            p("| %s | %s | | | | | |" % (row["label"], why))
            continue
        if "idle_kib" in row:
            pss, per = num(row["idle_pss"], "%d"), num(row["idle_kib"], "%.2f")
        elif "idle_held" in row:
            pss, per = "n/a", "n/a (holds %d)" % row["idle_held"]
        else:
            pss = per = "n/a"
        most = "n/a"
        if "max_held" in row:
            most = "%d" % row["max_held"]
            if "max_failed" in row:
                most += " (then it failed: %s)" % row["max_failed"][0].replace("|", "/")[:60]
        slow = num(row.get("rps100"), "%.0f")
        if row.get("stalled100"):
            slow = "0 (stalled: ab saw no reply for 10 s)"
        p("| %s | %s | %s | %s | %s | %s | %s |"
          % (row["label"], num(row.get("cpu_us")), num(row.get("rps8"), "%.0f"),
             slow, pss, per, most))
    p("")
    p("- servers: `%sBIN/MODEL --port 0 --backlog %d`, a fresh one for each figure; for "
      "the idle columns with `--timeout 0` (not the reference loops: they have none)"
      % (" ".join(ctx.pin(0)) + " " if ctx.pin(0) else "", BACKLOG))
    p("- 8 clients: `%sab -n %d -c 8 http://127.0.0.1:PORT/hello`, %d servers, median; CPU: "
      "wait4() rusage of the stopped server (user + system, its threads and reaped children) "
      "/ requests" % ("taskset -c 1 " if ctx.do_pin else "", a.model_requests, a.model_runs))
    p("- 100 clients: `ab -r -s 10 -t %g -c 90 http://127.0.0.1:PORT/hello` while "
      "10 slow clients (bench/models.py, SlowClients) trickle a request that never ends, one "
      "byte every 0.5 s; the server's default --timeout" % a.slow_seconds)
    p("- idle: `cli-connect --idle %d --hold 600 --timeout 5 127.0.0.1:PORT`, then `--idle %d`; "
      "Pss: the sum of /proc/PID/smaps_rollup over the server and its descendants; per "
      "connection: (Pss held - Pss before) / connections the server holds (socket "
      "descriptors open in its processes)" % (a.idle, a.idle_max))


def targets(rows, target, B):
    """The models' targets, into the targets table (target(name, value, ok))."""
    by = {r["key"]: r for r in rows}
    num = B.num

    def ratio_target(name, key, ref, limit, fmt):
        x, y = by.get(key, {}).get("cpu_us"), by.get(ref, {}).get("cpu_us")
        if x is None or y is None or x != x or y != y or y == 0:
            target(name, "n/a", None)
            return
        target(name, fmt % (x / y, num(x), num(y)), x / y <= limit)

    ratio_target("srv-prefork CPU/req at most 1/4 of srv-fork's", "srv-prefork", "srv-fork",
                 0.25, "%.2fx (%s vs %s µs)")
    ratio_target("srv-thread CPU/req at most 1/2 of srv-fork's", "srv-thread", "srv-fork",
                 0.5, "%.2fx (%s vs %s µs)")
    ratio_target("srv-poll (epoll) CPU/req at 8 clients within 1.2x of srv-iter's",
                 "srv-poll-epoll", "srv-iter", 1.2, "%.2fx (%s vs %s µs)")
    ratio_target("srv-poll --defer-accept (epoll) CPU/req at 8 clients within 1.2x of "
                 "srv-iter's", "srv-poll-defer", "srv-iter", 1.2, "%.2fx (%s vs %s µs)")
    ep, fk = by.get("srv-poll-epoll", {}), by.get("srv-fork", {})
    kib = ep.get("idle_kib")
    if kib is None or kib != kib:
        target("srv-poll (epoll) memory per idle connection at most 4 KiB", "n/a", None)
    else:
        beside = fk.get("idle_kib")
        target("srv-poll (epoll) memory per idle connection at most 4 KiB",
               "%.2f KiB (srv-fork: %s KiB)" % (kib, num(beside, "%.1f")
                                                 if beside is not None else "n/a"), kib <= 4)
