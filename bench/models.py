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
  requests/s, 100 clients        bench/load: 90 fast clients (GET, read to
  (10 slow)                      the close, again) while 10 slow ones trickle
                                 a request that never ends (one byte every
                                 0.5 s, a new connection when the server
                                 closes one), for T seconds, against a fresh
                                 server with its default --timeout: the 200
                                 replies per second.
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

The figures are taken in three passes: every model's 8-client runs first
(the models take turns run by run), then the 100 clients, then the idle
connections, whose thousands of processes (for a process per client) take
seconds of CPU to reap; each server starts once the machine is quiet again
(--settle).

A model whose binary is not built is a row of "n/a (not built)".
"""
import json
import os
import re
import shlex
import signal
import subprocess
import time

BACKLOG = 1024  # so that no burst is cut by the listen queue (lesson 2)
IDLE_TIMEOUT = 10  # s, cli-connect --timeout for the memory figure


def models(ctx, B):
    """The rows: [{key, label, argv, timeout}] (argv without --port...);
    each row that cannot run has "missing" instead."""
    a = ctx.args
    rows = []

    def add(key, label, path, args=(), timeout=True, need=None, idle=True, listing=False):
        row = {"key": key, "label": label, "timeout": timeout, "idle": idle,
               "listing": listing}
        if path is None or not os.access(path, os.X_OK):
            row["missing"] = "n/a (not built)"
        elif need and need not in B.help_text(path):
            row["missing"] = "n/a (no %s)" % need
        else:
            row["argv"] = [path] + list(args)
        rows.append(row)

    b, r = a.bin, a.article_bin
    # The baselines: the article's listings, with their own backlog (5 and
    # 1024) and no --timeout. webserver3a's idle figure is known without
    # measuring (it holds the one it serves), and measuring it would wait for
    # the SYNs its queue of 5 drops.
    add("webserver3a", "webserver3a (baseline)", os.path.join(r, "webserver3a"),
        timeout=False, listing=True, idle="n/a (holds 1: its queue, 5, drops the others)")
    add("webserver3g", "webserver3g (baseline)", os.path.join(r, "webserver3g"),
        timeout=False, listing=True)
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
        ["--quiet", "--api", "epoll", "--defer-accept"], need="--defer-accept",
        idle=False)
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


def options(row):
    """A listing takes its port as argv[1] ({port}: bench/run's free port);
    the tools take --port 0 --backlog 1024."""
    return ["{port}"] if row["listing"] else ["--port", "0", "--backlog", str(BACKLOG)]


def start(ctx, B, row, extra, tag):
    argv = row["argv"] + options(row) + extra
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


def slow_load(ctx, load, port, secs):
    """bench/load: 90 fast clients and 10 slow ones for secs seconds;
    requests/s = the fast requests answered 200 in that time."""
    cmd = ctx.pin(1) + [load, "--port", str(port), "--clients", "90", "--slow", "10",
                        "--seconds", "%g" % secs, "--every", "0.5"]
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=secs + 30)
        fig = json.loads(r.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError) as e:
        return {"error": "bench/load: %s" % (e if not isinstance(e, IndexError)
                                              else r.stderr.strip() or "no output")}
    fig["rps"] = fig["ok"] / fig["seconds"]
    return fig


def hold_idle(ctx, cli, s, n, base, connect_timeout, batch=None):
    """n idle connections against server s, from clients of `batch`
    connections each (`cli-connect --idle`), one after the other: each
    starts once the server holds what the ones before made, so that no
    burst overflows the listen queue (a kernel that drops or cookies the
    handshakes of a full queue loses idle clients, which is the speed of
    accept(), not what a model can hold). Stops at the first batch the
    server does not take whole. Returns (held by the server, Pss of its
    processes then, whether it is alive); then lets go of them all and
    waits until the server has closed them."""
    batch = batch or n
    clients = []
    held, want = 0, 0
    try:
        while want < n:
            k = min(batch, n - want)
            want += k
            out = os.path.join(ctx.tmp, "idle-%d-%d.out" % (s.proc.pid, len(clients)))
            with open(out, "wb") as f:
                clients.append(subprocess.Popen(
                    ctx.pin(1) + [cli, "--idle", str(k), "--hold", "600", "--timeout",
                                  "%g" % connect_timeout, "127.0.0.1:%d" % s.port],
                    stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT))
            end = time.monotonic() + connect_timeout + 30.0
            while time.monotonic() < end and clients[-1].poll() is None:
                with open(out, "rb") as f:
                    if re.search(rb"^holding \d+ idle", f.read(), re.M):
                        break
                time.sleep(0.05)
            # The server side settles: all of them, or no change for 1 s.
            last, since = -1, time.monotonic()
            while time.monotonic() < end and s.proc.poll() is None:
                held = len(sockets(tree(s.proc.pid)) - base)
                if held >= want:
                    break
                if held != last:
                    last, since = held, time.monotonic()
                elif time.monotonic() - since > 1.0:
                    break
                time.sleep(0.1)
            if held < want or s.proc.poll() is not None:
                break
        alive = s.proc.poll() is None
        pss = pss_kib(tree(s.proc.pid)) if alive else float("nan")
    finally:
        for c in clients:
            c.send_signal(signal.SIGTERM)
        for c in clients:
            try:
                c.wait(timeout=30)
            except subprocess.TimeoutExpired:
                c.kill()
                c.wait()
    end = time.monotonic() + 20
    while s.proc.poll() is None and time.monotonic() < end:
        if not sockets(tree(s.proc.pid)) - base:
            break
        time.sleep(0.1)
    return held, pss, alive


# -------------------------------------------------------------- figures


def cpu_busy(secs):
    """The share of the machine's CPU time spent busy over the next secs
    seconds (/proc/stat, every CPU)."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]  # all, idle + iowait
    t0, i0 = snap()
    time.sleep(secs)
    t1, i1 = snap()
    return 1.0 - (i1 - i0) / max(1, t1 - t0)


def quiet(notes, what, most, busy=0.15):
    """Waits (at most `most` s; 0: not at all) until the machine is quiet: less than
    `busy` of its CPU time busy over a quarter of a second. A server that
    held thousands of idle clients leaves its processes to be reaped (a
    parent reaps 10,000 children in seconds of CPU: each waitpid() walks
    its list of children) and their sockets to be freed; a figure taken
    meanwhile measures that too. Says so when the machine stays busy."""
    if most <= 0:
        return
    end = time.monotonic() + most
    while True:
        b = cpu_busy(0.25)
        if b < busy:
            return
        if time.monotonic() > end:
            notes.append("%s: the machine was still %.0f%% busy after %g s of waiting"
                         % (what, 100 * b, most))
            return


def figures(ctx, B, rows, cli, notes):
    """Three passes, so that no figure measures what another left behind:
    the CPU and requests/s at 8 clients first (the rows take turns run by
    run, so that a noisy moment hits them all), then the 100 clients, then
    the idle connections (thousands of processes for a process per
    client), each after the machine is quiet again."""
    a = ctx.args
    live = [r for r in rows if "missing" not in r]
    for row in live:
        row["command"] = shown(ctx, row["argv"] + options(row))
        row["_cpu"], row["_rps"] = [], []
    # CPU and requests/s at 8 clients: fresh servers, wait4()'s rusage.
    for run in range(a.model_runs):
        B.note("models: 8 clients, run %d/%d" % (run + 1, a.model_runs))
        for row in live:
            if "error" in row:
                continue
            quiet(notes, "%s, 8 clients" % row["label"], a.settle)
            try:
                s = start(ctx, B, row, [], "8 clients")
            except B.BenchError as e:
                row["error"] = str(e)
                notes.append(row["error"])
                continue
            r = B.run_ab(ctx, s.port, a.model_requests, 8)
            s.settle()
            ru = stop_with_rusage(s)
            if "error" in r or not r.get("complete"):
                notes.append("%s, 8 clients: %s" % (row["label"], r.get("error", "no request")))
                continue
            if r.get("failed"):
                notes.append("%s, 8 clients: %d of %d requests failed"
                             % (row["label"], r["failed"], r["complete"]))
            row["_cpu"].append((ru.ru_utime + ru.ru_stime) * 1e6 / r["complete"])
            row["_rps"].append(r["rps"])
    for row in live:  # the runs stay in the JSON: their spread
        row["cpu_runs"], row["rps8_runs"] = row.pop("_cpu"), row.pop("_rps")
        row["cpu_us"], row["rps8"] = B.median(row["cpu_runs"]), B.median(row["rps8_runs"])
    live = [r for r in live if "error" not in r]
    # 100 clients, 10 of them slow (bench/load).
    for row in live:
        row["rps100"] = float("nan")
        if not B.load:
            continue
        B.note("models: 100 clients: %s" % row["label"])
        quiet(notes, "%s, 100 clients" % row["label"], a.settle)
        try:
            s = start(ctx, B, row, [], "100 clients")
        except B.BenchError as e:
            notes.append(str(e))
            continue
        try:
            r = slow_load(ctx, B.load, s.port, a.slow_seconds)
        finally:
            s.stop()
        if "error" in r:
            notes.append("%s, 100 clients: %s" % (row["label"], r["error"]))
        elif r["failed"]:
            notes.append("%s, 100 clients: %d requests failed (not counted), %d "
                         "answered 200" % (row["label"], r["failed"], r["ok"]))
        row["rps100"] = r.get("rps", float("nan"))
    # Idle connections: memory at a.idle, then the most held.
    for row in live:
        if cli is None or row["idle"] is not True:
            continue
        B.note("models: idle connections: %s" % row["label"])
        quiet(notes, "%s, idle" % row["label"], a.settle)
        try:
            s = start(ctx, B, row, ["--timeout", "0"] if row["timeout"] else [], "idle")
        except B.BenchError as e:
            notes.append(str(e))
            continue
        try:
            time.sleep(0.1)
            base = sockets(tree(s.proc.pid))
            # Pss at a tenth, then at all: the difference per connection.
            # (Not Pss before any client: a client that runs shares the C
            # library's pages with the server, whose Pss then drops.)
            few, pss_few, _ = hold_idle(ctx, cli, s, max(1, a.idle // 10), base,
                                        IDLE_TIMEOUT)
            held, pss, alive = hold_idle(ctx, cli, s, a.idle, base, IDLE_TIMEOUT)
            row["idle_held"], row["idle_pss"] = held, pss
            if alive and held >= a.idle and held > few:
                row["idle_kib"] = (pss - pss_few) / (held - few)
            held, _, alive = hold_idle(ctx, cli, s, a.idle_max, base, a.idle_timeout,
                                       batch=a.idle)
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
        elif isinstance(row["idle"], str):
            pss, per = "n/a", row["idle"]
        elif not row["idle"]:
            pss = per = "n/a (the kernel holds idle clients: see epoll)"
        else:
            pss = per = "n/a"
        most = "n/a"
        if "max_held" in row:
            most = "%d" % row["max_held"]
            if "max_failed" in row:
                most += " (then it failed: %s)" % row["max_failed"][0].replace("|", "/")[:60]
        slow = num(row.get("rps100"), "%.0f")
        p("| %s | %s | %s | %s | %s | %s | %s |"
          % (row["label"], num(row.get("cpu_us")), num(row.get("rps8"), "%.0f"),
             slow, pss, per, most))
    p("")
    p("- servers: `%sBIN/MODEL --port 0 --backlog %d`, a fresh one for each figure; for "
      "the idle columns with `--timeout 0`; the baselines: `BIN/article/webserver3a PORT` "
      "and `webserver3g PORT`, the article's listings, with the article's backlog (5 and "
      "1024), no timeout, stdout to /dev/null (they print each request)"
      % (" ".join(ctx.pin(0)) + " " if ctx.pin(0) else "", BACKLOG))
    p("- 8 clients: `%sab -n %d -c 8 http://127.0.0.1:PORT/hello`, %d servers, median (the "
      "models take turns run by run, before any idle figure); CPU: wait4() rusage of the "
      "stopped server (user + system, its threads and reaped children) / requests"
      % ("taskset -c 1 " if ctx.do_pin else "", a.model_requests, a.model_runs))
    if a.settle > 0:
        p("- each server started once the machine was quiet: less than 15%% of its CPU busy "
          "over 0.25 s, waited for %g s at most (`--settle`)" % a.settle)
    p("- 100 clients: `%sBIN/load --port PORT --clients 90 --slow 10 --seconds %g --every 0.5` "
      "(bench/load.c): 90 clients request again and again while 10 trickle a request that "
      "never ends, one byte every 0.5 s; the servers have their default --timeout (5 s); "
      "requests/s: replies 200 / seconds" % ("taskset -c 1 " if ctx.do_pin else "",
                                               a.slow_seconds))
    p("- idle: `cli-connect --idle %d --hold 600 --timeout %d 127.0.0.1:PORT`; then up to %d, "
      "from such clients started one after the other (`--timeout %g`), each once the server "
      "holds the ones before, until one is not held whole; "
      "Pss: the sum of /proc/PID/smaps_rollup over the server and its descendants; per "
      "connection: (Pss at %d - Pss at a tenth of them) / the connections added, counted "
      "where the server holds them (socket descriptors open in its processes)" %
      (a.idle, IDLE_TIMEOUT, a.idle_max, a.idle_timeout, a.idle))


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
