#!/usr/bin/env python3
"""Instructions per request, counted by valgrind's callgrind: the benchmark's figure that does not move with
the machine's load. wrk's requests/s on a shared 2-core machine wander by ±20 %; instruction counts of the
same binary on the same requests repeat to a fraction of a percent, so a hot path's cost before and after a
change can be compared to within 1 %.

    python3 Tests/Benchmarks/instructions.py --binary .build/release/tsuna [--binary other/tsuna ...]

Each binary is started under callgrind (timers slowed so that snapshots and flushes stay out of the count,
deterministic hashing), its world is set up through the API as bench.py does, and for each hot path the
counters are zeroed, N requests are sent on one keep-alive connection, and the count is dumped. nginx
answering its fixed body is counted the same way (one process, no master), so every figure is also a ratio
to nginx's instructions per request."""
import argparse, glob, http.client, json, os, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the scenarios' world: users, channel, video)

USERS = 40


def callgrind(cmd, workdir, name):
    out = os.path.join(workdir, f"{name}.callgrind")
    return ["valgrind", "--tool=callgrind", "-q", f"--callgrind-out-file={out}.%p"] + cmd, out


def dump_total(pid, prefix):
    """Asks callgrind for a dump of the counts since the last zeroing; returns the dump's total Ir."""
    before = set(glob.glob(f"{prefix}.{pid}*"))
    subprocess.run(["callgrind_control", "-d", str(pid)], check=True, capture_output=True, timeout=120)
    for _ in range(600):
        new = sorted(set(glob.glob(f"{prefix}.{pid}*")) - before)
        if new:
            with open(new[-1]) as f:
                for line in f:
                    if line.startswith("summary:") or line.startswith("totals:"):
                        return int(line.split()[1])
        time.sleep(0.1)
    raise RuntimeError("callgrind wrote no dump")


def zero(pid):
    subprocess.run(["callgrind_control", "-z", str(pid)], check=True, capture_output=True, timeout=120)


class Client:
    """One keep-alive connection; every answer must have the expected status."""
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def send(self, method, path, token=None, body=None, expect=(200,)):
        headers = {"Authorization": "Bearer " + token} if token else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body).encode()
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        r.read()
        if r.status not in expect:
            raise RuntimeError(f"{method} {path}: {r.status}")


def scenarios(ts, workdir):
    """(name, one request's function of i) for the hot paths the codebase issue names."""
    bench.users.__defaults__ = (USERS,)  # the other setups ask for the default count; fewer logins under valgrind
    tokens, access = bench.users(ts, workdir)
    channel, video = bench.make_video(ts, workdir)
    pairs = bench.make_channel(ts, workdir, "Pairs")

    def toggle(base, create_body=None):
        def step(c, i):
            user = access[1 + (i // 2) % (len(access) - 1)]  # access[0] owns the channel
            if i % 2 == 0:
                c.send("POST", base + "create/", user, create_body, expect=(201,))
            else:
                c.send("DELETE", base + "delete/", user, expect=(204,))
        return step

    return [
        ("GET /healthz", lambda c, i: c.send("GET", "/healthz")),
        ("GET /accounts/v1/me/", lambda c, i: c.send("GET", "/accounts/v1/me/", access[i % len(access)])),
        ("GET /channels/v1/<token>/", lambda c, i: c.send("GET", f"/channels/v1/{channel}/", access[i % len(access)])),
        ("GET /videos/v1/<ch>/<token>/", lambda c, i: c.send("GET", f"/videos/v1/{channel}/{video}/", access[i % len(access)])),
        ("subscribe+unsubscribe (per request)", toggle(f"/channel_subscribers/v1/{pairs}/")),
        ("vote+unvote (per request)", toggle(f"/votes/v1/video/{video}/", {"choice": "u"})),
    ]


def measure(pid, port, prefix, step, count, warmup):
    c = Client(port)
    for i in range(warmup):
        step(c, i)
    zero(pid)
    for i in range(warmup, warmup + count):
        step(c, i)
    total = dump_total(pid, prefix)
    c.conn.close()
    return total / count


def count_nginx(workdir, count, warmup):
    nginx = bench.Nginx.__new__(bench.Nginx)
    nginx.dir = os.path.join(workdir, "nginx")
    os.makedirs(nginx.dir, exist_ok=True)
    nginx.port = bench.free_port()
    with open(os.path.join(bench.HERE, "nginx.conf.template")) as f:
        conf = f.read().replace("__DIR__", nginx.dir).replace("__PORT__", str(nginx.port)) \
            .replace("__BODY__", bench.NGINX_BODY.replace("'", "\\'"))
    path = os.path.join(nginx.dir, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    cmd, prefix = callgrind([binary, "-c", path, "-p", nginx.dir, "-g", "master_process off;"], workdir, "nginx")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        bench.wait_http(f"http://127.0.0.1:{nginx.port}/", timeout=60)
        return measure(proc.pid, nginx.port, prefix, lambda c, i: c.send("GET", "/"), count, warmup)
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def count_tsuna(binary, workdir, count, warmup):
    data = os.path.join(workdir, "data")
    port = bench.free_port()
    env = {**os.environ, "TSUNA_DATA_DIR": data, "TSUNA_PORT": str(port), "TSUNA_THROTTLE_AUTH": "off",
           "TSUNA_THROTTLE_VIDEO": "off", "TSUNA_PASSWORD_ITERATIONS": "1000",
           # Background work stays out of the count: it runs on timers, whose firing depends on wall time.
           "TSUNA_SNAPSHOT_INTERVAL_SECONDS": "3600", "TSUNA_FLUSH_INTERVAL_SECONDS": "3600",
           "SWIFT_DETERMINISTIC_HASHING": "1"}
    cmd, prefix = callgrind([binary, "serve"], workdir, "tsuna")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(workdir, "tsuna.log"), "w"))
    ts = bench.Tsuna.__new__(bench.Tsuna)
    ts.data, ts.port, ts.env, ts.base, ts.proc = data, port, env, f"http://127.0.0.1:{port}", proc
    try:
        bench.wait_http(ts.base + "/healthz", timeout=120)
        return [(name, measure(proc.pid, port, prefix, step, count, warmup)) for name, step in scenarios(ts, workdir)]
    finally:
        proc.terminate()
        proc.wait(timeout=300)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", action="append", required=True, help="a tsuna binary (repeat to compare)")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the callgrind dumps (for callgrind_annotate)")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("valgrind is needed (apt-get install valgrind)")
    workdir = tempfile.mkdtemp(prefix="tsuna-instr-")
    try:
        reference = count_nginx(workdir, args.requests, args.warmup)
        columns = []
        for n, binary in enumerate(args.binary):
            sub = os.path.join(workdir, f"b{n}")
            os.makedirs(sub)
            columns.append(dict(count_tsuna(os.path.abspath(binary), sub, args.requests, args.warmup)))
        print(f"instructions per request ({args.requests} requests after {args.warmup} warm-up, one connection); "
              f"nginx fixed body: {reference:,.0f}")
        head = "".join(f"{'binary ' + str(n + 1):>22}" for n in range(len(columns)))
        print(f"{'scenario':38}{head}" + ("   change" if len(columns) > 1 else ""))
        for name in columns[0]:
            cells = "".join(f"{col[name]:>12,.0f} ({col[name] / reference:4.1f}×)" for col in columns)
            change = f"  {(columns[-1][name] / columns[0][name] - 1) * 100:+6.1f} %" if len(columns) > 1 else ""
            print(f"{name:38}{cells}{change}")
        for n, binary in enumerate(args.binary):
            print(f"binary {n + 1}: {binary}")
    finally:
        if args.keep:
            print(f"callgrind dumps kept in {workdir} (one per scenario, in the order above)")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
