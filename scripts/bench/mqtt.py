#!/usr/bin/env python3
"""Telemetry through a real mosquitto on loopback (docs/PERFORMANCE.md, "Through an MQTT broker").

    scripts/bench/mqtt.py PH_TAP throughput BOARDS COUNT
    scripts/bench/mqtt.py PH_TAP latency BOARDS COUNT TICK_MS
    PUBLISH_QOS=1 scripts/bench/mqtt.py ...   (the producers at QoS 1; 2 is the default)

throughput: BOARDS `ph-tap demo --tick-ms 0` publishers (clean link, one stream, COUNT values
each) into one broker and one `ph-tap attach --mqtt .../+` consuming; the time from the
producers' start until the consumer's `--save` files hold every byte the producers sent, and
the consumer's CPU (user + system, from /proc) over that time.

latency: BOARDS demos at TICK_MS, each value's line stamped as the publisher writes it and as
the consumer writes it (both read by this script, one clock); the difference per value.

It starts its own broker on a free 127.0.0.1 port and stops everything it started.
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

# PUBLISH_QOS=1 (or 2, the default) in the environment: the producers' --publish-qos.
QOS = ["--publish-qos", os.environ["PUBLISH_QOS"]] if os.environ.get("PUBLISH_QOS") else []

CLEAN = ["--link-loss", "0", "--corrupt", "0", "--no-bursts", "--no-reset", "--single-stream",
         "--first-seq", "1", "--format", "json", "--no-time", "--no-status"]


STARTED = []


def start(args, **kwargs):
    """A process, ended when this script ends however it ends."""
    proc = subprocess.Popen(args, **kwargs)
    STARTED.append(proc)
    return proc


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """user + system CPU of a running process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def broker(dir):
    port = free_port()
    conf = os.path.join(dir, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n"
                "max_inflight_messages 0\nuser root\n")
    proc = start(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return proc, port
        except OSError:
            if time.monotonic() > deadline:
                sys.exit("mosquitto did not start")
            time.sleep(0.01)


def consumer(ph_tap, port, extra, stdout):
    proc = start([ph_tap, "attach", "--mqtt", f"mqtt://127.0.0.1:{port}/bench/+",
                             "--format", "json", "--no-time", "--no-status"] + extra,
                            stdout=stdout, stderr=subprocess.PIPE)
    line = proc.stderr.readline().decode()
    assert line.startswith("subscribed to "), line
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc


def throughput(ph_tap, boards, count):
    with tempfile.TemporaryDirectory() as dir:
        mq, port = broker(dir)
        sub = consumer(ph_tap, port, ["--save", os.path.join(dir, "got.bin")], subprocess.DEVNULL)
        names = [f"b{i}" for i in range(boards)]
        cpu0, t0 = cpu_seconds(sub.pid), time.monotonic()
        pubs = [start([ph_tap, "demo", "--count", str(count), "--tick-ms", "0",
                                  "--seed", str(i + 1), "--board", n,
                                  "--publish", f"mqtt://127.0.0.1:{port}/bench",
                                  "--publish-buffer", "1GiB",
                                  "--save", os.path.join(dir, f"sent-{n}.bin")] + QOS + CLEAN,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                for i, n in enumerate(names)]
        errs = [p.communicate()[1].decode() for p in pubs]
        t_pub = time.monotonic() - t0
        assert all(p.returncode == 0 for p in pubs), errs
        assert not any("not published" in e or "not confirmed" in e for e in errs), errs
        sent = {n: os.path.getsize(os.path.join(dir, f"sent-{n}.bin")) for n in names}

        def got(n):
            try:
                return os.path.getsize(os.path.join(dir, f"got-{n}.bin"))
            except OSError:
                return 0
        while any(got(n) < sent[n] for n in names):
            if time.monotonic() - t0 > 120:
                sys.exit("the consumer did not get everything: "
                         + ", ".join(f"{n} {got(n)} of {sent[n]}" for n in names))
            time.sleep(0.002)
        elapsed, cpu = time.monotonic() - t0, cpu_seconds(sub.pid) - cpu0
        mq_cpu = cpu_seconds(mq.pid)
        sub.terminate(); sub.wait(); mq.terminate(); mq.wait()
        frames = boards * count
        print(f"{boards} boards x {count} values, {sum(sent.values())} bytes: "
              f"producers done in {t_pub:.2f} s, consumer has all after {elapsed:.2f} s: "
              f"{frames / elapsed:,.0f} frames/s; consumer CPU {cpu:.2f} s "
              f"({cpu / boards:.3f} s per board, {100 * cpu / elapsed:.0f} % of a core); "
              f"mosquitto CPU {mq_cpu:.2f} s")


def stamp_lines(proc, key, stamps):
    for line in proc.stdout:
        now = time.monotonic()
        if b'"type":"event"' not in line:
            continue
        stamps[key(json.loads(line))] = now


def latency(ph_tap, boards, count, tick_ms):
    with tempfile.TemporaryDirectory() as dir:
        mq, port = broker(dir)
        sub = consumer(ph_tap, port, [], subprocess.PIPE)
        cpu0, t0 = cpu_seconds(sub.pid), time.monotonic()
        got = {}
        reader = threading.Thread(target=stamp_lines,
                                  args=(sub, lambda v: (v["board"], v["seq"]), got), daemon=True)
        reader.start()
        sent, readers, pubs = {}, [], []
        for i in range(boards):
            n = f"b{i}"
            p = start([ph_tap, "demo", "--count", str(count), "--tick-ms", str(tick_ms),
                                  "--seed", str(i + 1), "--board", n,
                                  "--publish", f"mqtt://127.0.0.1:{port}/bench"] + QOS + CLEAN,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            t = threading.Thread(target=stamp_lines,
                                 args=(p, lambda v, n=n: (n, v["seq"]), sent), daemon=True)
            t.start()
            pubs.append(p); readers.append(t)
        for p in pubs:
            p.wait()
        for t in readers:
            t.join()
        deadline = time.monotonic() + 30
        while any(k not in got for k in sent) and time.monotonic() < deadline:
            time.sleep(0.01)
        cpu, elapsed = cpu_seconds(sub.pid) - cpu0, time.monotonic() - t0
        sub.terminate(); sub.wait(); mq.terminate(); mq.wait()
        ms = sorted(1000 * (got[k] - sent[k]) for k in sent if k in got)
        missing = sum(1 for k in sent if k not in got)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        print(f"{boards} boards x {count} values at {tick_ms} ms ticks: {len(ms)} values timed, "
              f"{missing} missing; publish to display: median {statistics.median(ms):.2f} ms, "
              f"p99 {p99:.2f} ms, max {ms[-1]:.2f} ms; consumer CPU {cpu:.2f} s in {elapsed:.1f} s "
              f"({100 * cpu / elapsed / boards:.1f} % of a core per board)")


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    ph_tap, mode = sys.argv[1], sys.argv[2]
    args = [int(a) for a in sys.argv[3:]]
    try:
        {"throughput": throughput, "latency": latency}[mode](ph_tap, *args)
    finally:
        for proc in STARTED:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
