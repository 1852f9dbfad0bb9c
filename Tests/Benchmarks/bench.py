#!/usr/bin/env python3
"""Tsuna's benchmark: drives the release binary with wrk on loopback and compares every scenario with
nginx answering a fixed JSON body in the same run, so the ratios survive a noisy machine.

Each scenario prints requests/s, p50, p99, the server's peak RSS and its ratio to nginx.
Later features add scenarios to SCENARIOS (a name, a setup returning wrk arguments)."""
import argparse, json, os, re, resource, shutil, signal, socket, subprocess, sys, tempfile, time
import urllib.error, urllib.parse, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
NGINX_BODY = json.dumps({
    "status": "ok", "service": "reference", "detail": "A fixed JSON response served by nginx for comparison.",
    "token": "3f1c2a8e-7b4d-4e0a-9c1f-5d2b6a8e9f01", "count": 12345, "next": None, "previous": None,
    "results": [{"title": "Benchmark", "user": "Ada Lovelace", "date": "2026-11-24T17:51:00.123456Z"}],
    "padding": "x"})


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=10.0):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return time.monotonic() - start
        except Exception:
            time.sleep(0.002)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def parse_duration(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def run_wrk(url, duration, connections=64, threads=2, script=None, env=None):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = re.search(r"(\d+) requests in", out)
    p50 = parse_duration(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = parse_duration(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "requests": int(total.group(1)) if total else 0,
            "non2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


def cpu_seconds(pid):
    """The process's user + system CPU time so far (/proc/<pid>/stat), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Prober:
    """Requests `url` in a loop on one keep-alive connection while a scenario runs; reports p50/p99/max."""
    def __init__(self, url):
        import threading, http.client
        self.samples, self.running = [], True
        parsed = urllib.parse.urlparse(url)
        def loop():
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
            while self.running:
                t = time.monotonic()
                conn.request("GET", parsed.path)
                conn.getresponse().read()
                self.samples.append((time.monotonic() - t) * 1000)
                time.sleep(0.005)
        self.thread = threading.Thread(target=loop, daemon=True)
        self.thread.start()

    def stop(self):
        self.running = False
        self.thread.join()
        s = sorted(self.samples)
        if not s:
            return "no samples"
        return f"{len(s)} requests, p50 {s[len(s) // 2]:.2f} ms, p99 {s[int(len(s) * 0.99)]:.2f} ms, max {s[-1]:.2f} ms"


class Nginx:
    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "nginx")
        os.makedirs(self.dir)
        self.port = free_port()
        with open(os.path.join(HERE, "nginx.conf.template")) as f:
            conf = f.read().replace("__DIR__", self.dir).replace("__PORT__", str(self.port)) \
                .replace("__BODY__", NGINX_BODY.replace("'", "\\'"))
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = subprocess.Popen([binary, "-c", self.conf, "-p", self.dir],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(f"http://127.0.0.1:{self.port}/")

    def stop(self):
        self.proc.send_signal(signal.SIGQUIT)
        self.proc.wait(timeout=10)


class Tsuna:
    def __init__(self, binary, workdir, extra_env=None):
        self.data = os.path.join(workdir, "data")
        self.port = free_port()
        self.env = {**os.environ, "TSUNA_DATA_DIR": self.data, "TSUNA_PORT": str(self.port),
                    "TSUNA_THROTTLE_AUTH": "off", "TSUNA_THROTTLE_VIDEO": "off",
                    # every benchmark connection comes from 127.0.0.1 (10 000 idle ones in one scenario)
                    "TSUNA_MAX_CONNECTIONS_PER_IP": "100000",
                    "TSUNA_PASSWORD_ITERATIONS": os.environ.get("BENCH_PASSWORD_ITERATIONS", "600000"),
                    **(extra_env or {})}
        self.base = f"http://127.0.0.1:{self.port}"
        started = time.monotonic()
        self.proc = subprocess.Popen([binary, "serve"], env=self.env, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(workdir, "tsuna.log"), "w"),
                                     preexec_fn=raise_nofile)
        wait_http(self.base + "/healthz")
        self.startup_ms = (time.monotonic() - started) * 1000

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


# ---- scenarios -------------------------------------------------------------------------------------
# A scenario: (name, setup) where setup(tsuna, workdir) returns a dict of run_wrk keyword arguments
# (at least "path" or "url"; optionally "script" and "env" for a Lua script).

def healthz(ts, workdir):
    return {"path": "/healthz"}


BENCH_PASSWORD = "benchmark-password"


def django_hash(password, iterations, salt="benchsalt1234567890ab"):
    import base64, hashlib
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations, 32)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(dk).decode()}"


def users(ts, workdir, count=500):
    """`count` active users written straight into SQLite (as another process may), logged in over HTTP.
    Their stored hashes use 1000 iterations so that logging 500 users in is quick; returns (tokens, access)."""
    cache = getattr(ts, "_users", None)
    if cache and len(cache[0]) >= count:
        return cache
    import sqlite3, uuid
    db = sqlite3.connect(os.path.join(ts.data, "tsuna.sqlite"), timeout=30)
    cheap = django_hash(BENCH_PASSWORD, 1000)
    tokens = [str(uuid.uuid4()) for _ in range(count)]
    now = int(time.time() * 1e6)
    with db:
        db.executemany("INSERT INTO users (token, email, password, first_name, last_name, is_active, date_joined) "
                       "VALUES (?, ?, ?, ?, ?, 1, ?)",
                       [(t, f"bench-{i}@example.com", cheap, "Bench", f"User {i}", now) for i, t in enumerate(tokens)])
    db.close()
    access = []
    for i in range(count):
        req = urllib.request.Request(ts.base + "/accounts/v1/login/", method="POST",
                                     data=json.dumps({"email": f"bench-{i}@example.com", "password": BENCH_PASSWORD}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req) as r:
            access.append(json.load(r)["access"])
    ts._users = (tokens, access)
    return ts._users


def token_files(workdir, name, lines):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def me(ts, workdir):
    tokens, access = users(ts, workdir)
    return {"path": "/accounts/v1/me/", "script": os.path.join(HERE, "rotate_tokens.lua"),
            "env": {"BENCH_TOKENS": token_files(workdir, "access.txt", access), "BENCH_PATH": "/accounts/v1/me/"}}


def profile(ts, workdir):
    tokens, access = users(ts, workdir)
    return {"path": "/", "script": os.path.join(HERE, "rotate_tokens.lua"),
            "env": {"BENCH_TOKENS": token_files(workdir, "access.txt", access),
                    "BENCH_PATH_TOKENS": token_files(workdir, "users.txt", tokens),
                    "BENCH_PATH": "/accounts/v1/{token}/"}}


def login(ts, workdir):
    """Logins at the configured (default 600 000) iteration count, few connections: latency is the figure."""
    import sqlite3, uuid
    db = sqlite3.connect(os.path.join(ts.data, "tsuna.sqlite"), timeout=30)
    iterations = int(ts.env["TSUNA_PASSWORD_ITERATIONS"])
    with db:
        db.execute("INSERT INTO users (token, email, password, first_name, is_active, date_joined) VALUES (?, ?, ?, ?, 1, ?)",
                   (str(uuid.uuid4()), "login-bench@example.com", django_hash(BENCH_PASSWORD, iterations), "Login",
                    int(time.time() * 1e6)))
    db.close()
    return {"path": "/accounts/v1/login/", "script": os.path.join(HERE, "login.lua"), "connections": 4,
            "env": {"BENCH_EMAIL": "login-bench@example.com", "BENCH_PASSWORD": BENCH_PASSWORD},
            "probe": "/healthz"}


def make_channel(ts, workdir, title="Benchmark channel"):
    tokens, access = users(ts, workdir)
    req = urllib.request.Request(ts.base + "/channels/v1/", method="POST", data=json.dumps({"title": title}).encode(),
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + access[0]})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["token"]


def channel_detail(ts, workdir):
    tokens, access = users(ts, workdir)
    channel = getattr(ts, "_channel", None) or make_channel(ts, workdir)
    ts._channel = channel
    return {"path": "/", "script": os.path.join(HERE, "rotate_tokens.lua"),
            "env": {"BENCH_TOKENS": token_files(workdir, "access.txt", access),
                    "BENCH_PATH": f"/channels/v1/{channel}/"}}


def subscribe_pairs(ts, workdir):
    tokens, access = users(ts, workdir)
    channel = make_channel(ts, workdir, "Pairs")
    return {"path": "/", "script": os.path.join(HERE, "subscribe_pairs.lua"),
            "env": {"BENCH_TOKENS": token_files(workdir, "access.txt", access[1:]), "BENCH_CHANNEL": channel,
                    "BENCH_THREADS": "2"}}


def subscribe_pairs_crowded(ts, workdir):
    """The same pairs on a channel that already holds 100 000 stored subscriptions."""
    import sqlite3, uuid
    tokens, access = users(ts, workdir)
    channel = make_channel(ts, workdir, "Crowded")
    db = sqlite3.connect(os.path.join(ts.data, "tsuna.sqlite"), timeout=30)
    now = int(time.time() * 1e6)
    with db:
        cid = db.execute("SELECT id FROM channels WHERE token = ?", (channel,)).fetchone()[0]
        first = db.execute("SELECT coalesce(max(id), 0) FROM users").fetchone()[0] + 1
        db.executemany("INSERT INTO users (id, token, email, password, first_name, is_active, date_joined) VALUES (?, ?, ?, 'x', 'Crowd', 1, ?)",
                       [(first + k, str(uuid.uuid4()), f"crowd-{k}@example.com", now) for k in range(100_000)])
        db.executemany("INSERT INTO channel_subscribers (channel_id, user_id, date) VALUES (?, ?, ?)",
                       [(cid, first + k, now + k) for k in range(100_000)])
    db.close()
    return {"path": "/", "script": os.path.join(HERE, "subscribe_pairs.lua"),
            "env": {"BENCH_TOKENS": token_files(workdir, "access.txt", access[1:]), "BENCH_CHANNEL": channel,
                    "BENCH_THREADS": "2"}}


def subscriber_list(ts, workdir):
    tokens, access = users(ts, workdir)
    channel = getattr(ts, "_channel", None) or make_channel(ts, workdir)
    ts._channel = channel
    for a in access[1:101]:
        req = urllib.request.Request(ts.base + f"/channel_subscribers/v1/{channel}/create/", method="POST",
                                     headers={"Authorization": "Bearer " + a})
        try:
            urllib.request.urlopen(req).read()
        except urllib.error.HTTPError:
            pass
    return {"path": "/", "script": os.path.join(HERE, "rotate_tokens.lua"),
            "env": {"BENCH_TOKENS": token_files(workdir, "access.txt", access),
                    "BENCH_PATH": f"/channel_subscribers/v1/{channel}/list/"}}


def path_param_anonymous(ts, workdir):
    """Routing through a path parameter to a JSON answer, without a database: the 401 of an API route."""
    return {"path": "/channels/v1/3f1c2a8e-7b4d-4e0a-9c1f-5d2b6a8e9f01/"}


def make_video(ts, workdir):
    """A published video in the benchmark channel (multipart upload of a small MP4)."""
    tokens, access = users(ts, workdir)
    channel = getattr(ts, "_channel", None) or make_channel(ts, workdir)
    ts._channel = channel
    boundary = "benchboundary"
    mp4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 2048
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nBench\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nA clip\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"visibility\"\r\n\r\npu\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.mp4\"\r\n"
            f"Content-Type: video/mp4\r\n\r\n").encode() + mp4 + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(ts.base + f"/videos/v1/{channel}/", method="POST", data=body,
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                                          "Authorization": "Bearer " + access[0]})
    with urllib.request.urlopen(req) as r:
        return channel, json.load(r)["token"]


def video_detail(ts, workdir):
    tokens, access = users(ts, workdir)
    channel, video = getattr(ts, "_video", None) or make_video(ts, workdir)
    ts._video = (channel, video)
    return {"path": "/", "script": os.path.join(HERE, "rotate_tokens.lua"),
            "env": {"BENCH_TOKENS": token_files(workdir, "access.txt", access),
                    "BENCH_PATH": f"/videos/v1/{channel}/{video}/"}}


def vote_pairs(ts, workdir):
    tokens, access = users(ts, workdir)
    channel, video = getattr(ts, "_video", None) or make_video(ts, workdir)
    ts._video = (channel, video)
    return {"path": "/", "script": os.path.join(HERE, "subscribe_pairs.lua"),
            "env": {"BENCH_TOKENS": token_files(workdir, "access.txt", access), "BENCH_THREADS": "2",
                    "BENCH_BASE": f"/votes/v1/video/{video}/"}}


SCENARIOS = [
    ("GET /healthz", healthz),
    ("GET /channels/v1/<token>/ anonymous (401 JSON)", path_param_anonymous),
    ("GET /accounts/v1/<token>/ (path param, JSON)", profile),
    ("GET /accounts/v1/me/ (500 users rotated)", me),
    ("GET /channels/v1/<token>/ (500 users)", channel_detail),
    ("subscribe+unsubscribe pairs (500 users)", subscribe_pairs),
    ("GET /channel_subscribers/…/list/ (101 subs)", subscriber_list),
    ("pairs with 100 000 stored subscriptions", subscribe_pairs_crowded),
    ("GET /videos/v1/<ch>/<token>/ (views, 500 users)", video_detail),
    ("vote+unvote pairs (500 users)", vote_pairs),
    ("POST /accounts/v1/login/ (4 connections)", login),
]


def idle_connections(ts, count):
    """Holds `count` keep-alive connections, each after one request; returns the server's RSS then."""
    socks = []
    request = b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n"
    try:
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", ts.port))
            s.sendall(request)
            socks.append(s)
        for s in socks:
            data = b""
            while b"\r\n\r\n" not in data or not data.endswith(b"}"):
                chunk = s.recv(4096)
                if not chunk:
                    raise RuntimeError("server closed an idle connection early")
                data += chunk
        time.sleep(0.5)
        return rss_kib(ts.proc.pid)
    finally:
        for s in socks:
            s.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "10")))
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--idle", type=int, default=10000, help="idle keep-alive connections to hold")
    parser.add_argument("only", nargs="*", help="run only scenarios whose name contains one of these")
    args = parser.parse_args()
    raise_nofile()

    workdir = tempfile.mkdtemp(prefix="tsuna-bench-")
    results = []
    nginx = Nginx(workdir)
    ts = Tsuna(os.path.abspath(args.binary), workdir)
    try:
        print(f"start to first 200: {ts.startup_ms:.0f} ms; RSS at rest: {rss_kib(ts.proc.pid) / 1024:.1f} MiB")
        ref = run_wrk(f"http://127.0.0.1:{nginx.port}/", args.duration, args.connections)
        # CPU µs/req: the server's own CPU time per answered request — the figure that stays comparable
        # when other work shares the machine (throughput and latency do not).
        print(f"{'scenario':44} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'RSS MiB':>8} {'× nginx':>8} {'CPU µs/req':>10}")
        print(f"{'nginx fixed ' + str(len(NGINX_BODY)) + '-byte JSON':44} {ref['rps']:9.0f} {ref['p50']:8.2f} {ref['p99']:8.2f} {'':>8} {1.0:8.2f}")
        for name, setup in SCENARIOS:
            if args.only and not any(o.lower() in name.lower() for o in args.only):
                continue
            spec = setup(ts, workdir)
            url = spec.pop("url", None) or ts.base + spec.pop("path")
            probe = spec.pop("probe", None)
            connections = spec.pop("connections", args.connections)
            prober = Prober(ts.base + probe) if probe else None
            cpu_before = cpu_seconds(ts.proc.pid)
            r = run_wrk(url, args.duration, connections, **spec)
            r["cpu_us"] = (cpu_seconds(ts.proc.pid) - cpu_before) * 1e6 / max(1, r["requests"])
            if prober:
                r["probe"] = prober.stop()
            r["rss"] = rss_kib(ts.proc.pid, "VmHWM") / 1024
            r["ratio"] = r["rps"] / ref["rps"]
            results.append((name, r))
            flag = "" if r["non2xx"] == 0 and not r["socket_errors"] else f"  (non-2xx {r['non2xx']} {r['socket_errors']})"
            print(f"{name:44} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['rss']:8.1f} {r['ratio']:8.2f} {r['cpu_us']:10.1f}{flag}")
            if prober:
                print(f"    meanwhile {probe}: {r['probe']}")
        if args.idle and not args.only:
            rss = idle_connections(ts, args.idle)
            print(f"{args.idle} idle keep-alive connections: server RSS {rss / 1024:.1f} MiB")
    finally:
        status = ts.stop()
        nginx.stop()
        print(f"graceful stop: exit status {status}")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
