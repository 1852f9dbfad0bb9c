#!/usr/bin/env python3
"""Latency of the administration panel's pages on a large community: bulk-loads 200 000 users (and channels,
videos, musics, comments, mail and audit entries) straight into SQLite, signs in, and requests each page in a
loop over one keep-alive connection, printing p50 / p99 / max per page.

    python3 Tests/Benchmarks/admin_bench.py [--binary .build/release/tsuna] [--users 200000] [--requests 400]

The database is created by `tsuna migrate` (so every index of the schema exists) and filled with plain INSERTs in
one transaction; the comment search index fills itself through its triggers. Figures are printed, never asserted."""
import argparse, http.client, os, random, re, shutil, signal, sqlite3, statistics, subprocess, sys, tempfile, time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORDS = ("river mountain lake sunrise music guitar piano cooking bread travel city night rain forest ocean "
         "garden coffee story dance video clip live concert review lesson").split()


def load(db_path, users, channels, contents, comments):
    random.seed(7)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    now = int(time.time() * 1_000_000)
    with db:
        db.executemany(
            "INSERT INTO users (id, token, email, password, first_name, last_name, is_active, is_admin, date_joined, token_generation)"
            " VALUES (?, ?, ?, 'pbkdf2_sha256$1$x$x', ?, ?, ?, 0, ?, 0)",
            ((i, f"00000000-0000-4000-8000-{i:012d}", f"user{i:06d}@example.com", random.choice(WORDS).title() + str(i % 997),
              random.choice(WORDS).title(), 0 if i % 50 == 0 else 1, now - (users - i) * 1_000_000) for i in range(1, users + 1)))
        db.executemany(
            "INSERT INTO channels (id, token, owner_id, title, description, is_verified, date_created) VALUES (?, ?, ?, ?, 'd', 0, ?)",
            ((i, f"00000000-0000-4000-9000-{i:012d}", i * 7 % users + 1, f"{random.choice(WORDS).title()} {random.choice(WORDS)} {i}",
              now - (channels - i) * 1_000_000) for i in range(1, channels + 1)))
        db.executemany(
            "INSERT INTO contents (id, token, kind, channel_id, user_id, title, description, file, visibility, date)"
            " VALUES (?, ?, ?, ?, ?, ?, 'd', ?, ?, ?)",
            ((i, f"00000000-0000-4000-a000-{i:012d}", 1 + i % 2, i % channels + 1, i % users + 1,
              f"{random.choice(WORDS).title()} {random.choice(WORDS)} {i}", f"videos/{i}.mp4", "pu" if i % 3 else "pr",
              now - (contents - i) * 1_000_000) for i in range(1, contents + 1)))
        db.executemany(
            "INSERT INTO comments (id, token, content_id, user_id, parent_id, body, date) VALUES (?, ?, ?, ?, NULL, ?, ?)",
            ((i, f"00000000-0000-4000-b000-{i:012d}", i % contents + 1, i % users + 1,
              " ".join(random.choice(WORDS) for _ in range(12)), now - (comments - i) * 1_000_000) for i in range(1, comments + 1)))
        db.executemany(
            "INSERT INTO outbox (recipient, subject, body, created_at, attempts, next_attempt_at, sent_at, failed, last_error)"
            " VALUES (?, 'Verify Your Account on Tsuna Streaming', 'b', ?, ?, ?, ?, ?, ?)",
            ((f"user{i:06d}@example.com", now, 8 if i % 100 == 0 else 0, now, None if i % 100 == 0 else now,
              1 if i % 100 == 0 else 0, "connection refused" if i % 100 == 0 else None) for i in range(1, 20_001)))
        db.executemany(
            "INSERT INTO audit_log (actor_id, actor_email, action, object_type, object_token, object_label, date)"
            " VALUES (NULL, 'root@example.com', 'verify', 'channel', NULL, ?, ?)",
            ((f"channel {i}", now) for i in range(1, 50_001)))
    db.close()


def sign_in(conn, email, password):
    conn.request("GET", "/admin/")
    r = conn.getresponse()
    page = r.read().decode()
    form_cookie = re.search(r"tsuna_admin_signin=([^;]+)", r.getheader("Set-Cookie") or "").group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf": csrf, "email": email, "password": password})
    conn.request("POST", "/admin/sign-in/", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                    "Cookie": f"tsuna_admin_signin={form_cookie}"})
    r = conn.getresponse()
    r.read()
    cookie = [c for c in r.headers.get_all("Set-Cookie") if c.startswith("tsuna_admin=")]
    if r.status != 303 or not cookie:
        sys.exit(f"sign-in failed: {r.status}")
    return cookie[0].split(";")[0]


def measure(conn, cookie, path, count):
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie})
        r = conn.getresponse()
        r.read()
        samples.append((time.perf_counter() - start) * 1000)
        if r.status != 200:
            sys.exit(f"{path}: {r.status}")
    samples.sort()
    return samples[len(samples) // 2], samples[min(len(samples) - 1, int(len(samples) * 0.99))], samples[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/tsuna"))
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} is missing: swift build -c release")
    data = tempfile.mkdtemp(prefix="tsuna-admin-bench-")
    env = {**os.environ, "TSUNA_DATA_DIR": data, "TSUNA_PORT": "0", "TSUNA_ACCESS_LOG": "off",
           "TSUNA_PASSWORD_ITERATIONS": "1000", "TSUNA_THROTTLE_AUTH": "off"}
    server = None
    try:
        subprocess.run([args.binary, "migrate"], env=env, check=True, capture_output=True)
        started = time.monotonic()
        load(os.path.join(data, "tsuna.sqlite"), args.users, args.users // 20, args.users // 4, args.users // 2)
        print(f"loaded {args.users} users, {args.users // 20} channels, {args.users // 4} items, {args.users // 2} comments, "
              f"20000 mails, 50000 audit entries in {time.monotonic() - started:.1f}s")
        subprocess.run([args.binary, "create-admin", "--email", "root@example.com"], input=b"admin-password-1\n",
                       env=env, check=True, capture_output=True)
        server = subprocess.Popen([args.binary, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        port = int(re.search(rb":(\d+) ", server.stdout.readline()).group(1))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        cookie = sign_in(conn, "root@example.com", "admin-password-1")
        pages = [
            ("dashboard", "/admin/"),
            ("users", "/admin/users/"),
            ("users, deep page", f"/admin/users/?before={args.users // 3}"),
            ("user search by email prefix", "/admin/users/?q=user1234&by=email"),
            ("user search by name prefix", "/admin/users/?q=river1&by=name"),
            ("user detail", f"/admin/users/00000000-0000-4000-8000-{args.users // 2:012d}/"),
            ("channels", "/admin/channels/"),
            ("channel search by title", "/admin/channels/?q=lake"),
            ("contents (videos)", "/admin/contents/?kind=video"),
            ("content search by title", "/admin/contents/?q=piano"),
            ("comments", "/admin/comments/"),
            ("comment search by words", "/admin/comments/?q=garden+coffee"),
            ("mail (failed)", "/admin/mail/?status=failed"),
            ("audit", "/admin/audit/"),
        ]
        measure(conn, cookie, "/admin/", 20)   # warm the caches
        print(f"{'page':32} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}   ({args.requests} sequential requests each)")
        for name, path in pages:
            p50, p99, worst = measure(conn, cookie, path, args.requests)
            print(f"{name:32} {p50:8.2f} {p99:8.2f} {worst:8.2f}")
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
