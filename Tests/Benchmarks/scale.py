#!/usr/bin/env python3
"""Tsuna at community scale: the same endpoints on a world of 20 rows and on a world of N rows per table
(N = 200 000 by default: N users subscribed to one channel, N votes and N views on one video, N/20 videos in
the channel, N/10 comments on the video — loaded straight into SQLite), beside nginx's fixed JSON in the same
run. Page 1 of every list, a deep page reached through a `next` link, a bare deep `offset`, and the details;
then RSS, restart time on the large world, and a list's p99 while a flush of 100 000 pending views runs.

Usage: python3 Tests/Benchmarks/scale.py --binary .build/release/tsuna [--rows 200000] [--duration 5]"""
import argparse, json, os, shutil, sqlite3, tempfile, time, urllib.parse, urllib.request, uuid

import bench
from bench import HERE, Nginx, Tsuna, django_hash, rss_kib, run_wrk, token_files

ROTATING = 200
PASSWORD = "scale-password"


def load_world(data, rows):
    """Bulk-loads the world into a migrated, stopped data folder; returns what the scenarios need."""
    videos, comments = max(20, rows // 20), max(20, rows // 10)
    db = sqlite3.connect(os.path.join(data, "tsuna.sqlite"))
    now = int(time.time() * 1e6)
    cheap = django_hash(PASSWORD, 1000)
    with db:
        db.executemany("INSERT INTO users (id, token, email, password, first_name, last_name, is_active, date_joined) "
                       "VALUES (?, ?, ?, ?, 'Crowd', ?, 1, ?)",
                       ((k + 1, str(uuid.uuid4()), f"crowd-{k}@example.com", "x", f"Member {k}", now) for k in range(rows)))
        first = rows + 1
        db.executemany("INSERT INTO users (id, token, email, password, first_name, last_name, is_active, date_joined) "
                       "VALUES (?, ?, ?, ?, 'Reader', ?, 1, ?)",
                       ((first + k, str(uuid.uuid4()), f"reader-{k}@example.com", cheap, str(k), now) for k in range(ROTATING)))
        owner = first
        channel = str(uuid.uuid4())
        db.execute("INSERT INTO channels (id, token, owner_id, title, description, date_created) VALUES (1, ?, ?, 'Scale', 'd', ?)",
                   (channel, owner, now))
        db.execute("INSERT INTO channel_admins (token, channel_id, user_id, promoted_by_id, date, can_add_object, "
                   "can_edit_object, can_delete_object, can_publish_object, can_change_channel_info) "
                   "VALUES (?, 1, ?, ?, ?, 1, 1, 1, 1, 1)", (str(uuid.uuid4()), owner, owner, now))
        db.executemany("INSERT INTO channel_subscribers (channel_id, user_id, date) VALUES (1, ?, ?)",
                       ((k + 1, now - rows + k) for k in range(rows)))
        tokens = [str(uuid.uuid4()) for _ in range(videos)]
        db.executemany("INSERT INTO contents (id, token, kind, channel_id, user_id, title, description, file, visibility, date) "
                       "VALUES (?, ?, 1, 1, ?, ?, 'd', ?, 'pu', ?)",
                       ((k + 1, t, owner, f"Clip {k}", f"videos/{t}.mp4", now - videos + k) for k, t in enumerate(tokens)))
        hot = videos   # the newest video carries the crowd's votes, views and comments
        db.executemany("INSERT INTO votes (content_id, user_id, choice, date) VALUES (?, ?, ?, ?)",
                       ((hot, k + 1, "u" if k % 3 else "d", now - rows + k) for k in range(rows)))
        db.executemany("INSERT INTO viewers (content_id, user_id, date) VALUES (?, ?, ?)",
                       ((hot, k + 1, now - rows + k) for k in range(rows)))
        db.executemany("INSERT INTO comments (token, content_id, user_id, body, date) VALUES (?, ?, ?, 'a comment', ?)",
                       ((str(uuid.uuid4()), hot, (k % rows) + 1, now - comments + k) for k in range(comments)))
    db.close()
    return {"channel": channel, "video": tokens[-1], "videos": tokens, "rows": rows, "comments": comments}


def login_readers(ts):
    access = []
    for k in range(ROTATING):
        req = urllib.request.Request(ts.base + "/accounts/v1/login/", method="POST",
                                     data=json.dumps({"email": f"reader-{k}@example.com", "password": PASSWORD}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req) as r:
            access.append(json.load(r)["access"])
    return access


def get(ts, path, token):
    req = urllib.request.Request(ts.base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def next_path(ts, path, token, count):
    """The `next` link of the page just before the last 50 rows: a deep page reached by position."""
    sep = "&" if "?" in path else "?"
    page = get(ts, f"{path}{sep}limit=15&offset={max(0, count - 65)}", token)
    url = urllib.parse.urlparse(page["next"])
    return url.path + "?" + url.query


def scenarios(ts, world, access, owner_token):
    ch, video, rows = world["channel"], world["video"], world["rows"]
    lists = {
        "subscribers": (f"/channel_subscribers/v1/{ch}/list/", rows + 1),
        "votes": (f"/votes/v1/video/{video}/list/", rows),
        "comments": (f"/comments/v1/video/{video}/", world["comments"]),
        "videos": (f"/videos/v1/{ch}/", len(world["videos"])),
    }
    out = [("channel detail", f"/channels/v1/{ch}/", "all"),
           ("video detail (records a view)", f"/videos/v1/{ch}/{video}/", "all"),
           ("viewers list, page 1", f"/viewers/v1/video/{video}/list/", "owner"),
           ("video list ?title=", f"/videos/v1/{ch}/?title=Clip%207", "all")]
    for name, (path, count) in lists.items():
        out.append((f"{name} list, page 1", path, "all"))
        out.append((f"{name} list, deep page by next", next_path(ts, path, owner_token, count), "all"))
        sep = "&" if "?" in path else "?"
        out.append((f"{name} list, bare offset N-50", f"{path}{sep}limit=15&offset={max(0, count - 50)}", "all"))
    return out


def measure(binary, workdir, rows, duration, nginx_rps, label):
    ts = Tsuna(binary, workdir, {"TSUNA_FLUSH_INTERVAL_SECONDS": "60"})
    ts.stop()
    world = load_world(ts.data, rows)
    started = time.monotonic()
    ts = Tsuna(binary, workdir, {"TSUNA_FLUSH_INTERVAL_SECONDS": "60"})
    restart_ms = (time.monotonic() - started) * 1000
    access = login_readers(ts)
    owner = access[0]
    everyone = token_files(workdir, f"access-{label}.txt", access)
    owner_only = token_files(workdir, f"owner-{label}.txt", [owner])
    results = {}
    for name, path, who in scenarios(ts, world, access, owner):
        r = run_wrk(ts.base + "/", duration, script=os.path.join(HERE, "rotate_tokens.lua"),
                    env={"BENCH_TOKENS": everyone if who == "all" else owner_only, "BENCH_PATH": path})
        r["ratio"] = r["rps"] / nginx_rps
        results[name] = r
    results["_rss"] = rss_kib(ts.proc.pid) / 1024
    results["_restart_ms"] = restart_ms
    return ts, world, access, results


def flush_p99(ts, world, access, workdir, duration):
    """100 000 pending views (200 readers × 500 videos), then a list measured across the flush that writes them."""
    pairs = [(a, v) for v in world["videos"][:500] for a in access]
    tokens = token_files(workdir, "view-tokens.txt", [a for a, _ in pairs])
    paths = token_files(workdir, "view-paths.txt", [v for _, v in pairs])
    run_wrk(ts.base + "/", max(10, duration * 2), script=os.path.join(HERE, "rotate_tokens.lua"),
            env={"BENCH_TOKENS": tokens, "BENCH_PATH_TOKENS": paths, "BENCH_PATH": f"/videos/v1/{world['channel']}/{{token}}/"})
    pending = pending_views(ts)
    # The flush runs on its timer (60 s): measure the list long enough to contain one.
    r = run_wrk(ts.base + "/", 65, script=os.path.join(HERE, "rotate_tokens.lua"),
                env={"BENCH_TOKENS": token_files(workdir, "flush-readers.txt", access),
                     "BENCH_PATH": f"/channel_subscribers/v1/{world['channel']}/list/"})
    return pending, pending_views(ts), r


def pending_views(ts):
    with urllib.request.urlopen(ts.base + "/metrics") as r:
        for line in r.read().decode().splitlines():
            if line.startswith('tsuna_cache_pending_entries{cache="viewers"}'):
                return int(float(line.split()[-1]))
    return -1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ROWS", "200000")))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "5")))
    parser.add_argument("--no-flush", action="store_true", help="skip the list-during-flush measure (65 s)")
    args = parser.parse_args()
    bench.raise_nofile()
    binary = os.path.abspath(args.binary)
    root = tempfile.mkdtemp(prefix="tsuna-scale-")
    nginx = Nginx(os.path.join(root, "nginx-ref"))
    try:
        ref = run_wrk(f"http://127.0.0.1:{nginx.port}/", args.duration)
        small_dir, large_dir = os.path.join(root, "small"), os.path.join(root, "large")
        os.makedirs(small_dir)
        os.makedirs(large_dir)
        small_ts, _, _, small = measure(binary, small_dir, 20, args.duration, ref["rps"], "small")
        small_ts.stop()
        large_ts, world, access, large = measure(binary, large_dir, args.rows, args.duration, ref["rps"], "large")
        print(f"nginx fixed JSON: {ref['rps']:.0f} req/s, p99 {ref['p99']:.2f} ms")
        print(f"{'endpoint':42} {'20 rows':>14} {f'{args.rows} rows':>22} {'large/small':>12}")
        for name, r in large.items():
            if name.startswith("_"):
                continue
            s = small.get(name)
            small_text = f"{s['rps']:7.0f} ({s['ratio']:.2f}×)" if s else "-"
            flag = "" if r["non2xx"] == 0 and not r["socket_errors"] else f"  non-2xx {r['non2xx']} {r['socket_errors']}"
            ratio = f"{r['rps'] / s['rps']:.2f}" if s and s["rps"] else "-"
            print(f"{name:42} {small_text:>14} {r['rps']:8.0f} p99 {r['p99']:7.2f} ms {ratio:>12}{flag}")
        print(f"RSS after the large run: {large['_rss']:.1f} MiB; restart on the large world to first 200: "
              f"{large['_restart_ms']:.0f} ms (small: {small['_restart_ms']:.0f} ms)")
        if not args.no_flush:
            before, after, r = flush_p99(large_ts, world, access, large_dir, args.duration)
            print(f"subscriber list during a flush of {before} pending views (pending after: {after}): "
                  f"{r['rps']:.0f} req/s, p50 {r['p50']:.2f} ms, p99 {r['p99']:.2f} ms")
        large_ts.stop()
    finally:
        nginx.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
