"""GET a URL at a fixed rate (open loop) and print the latency figures as JSON.
usage: fixed-rate.py URL TOKEN RATE SECONDS"""
import json, sys, threading, time, urllib.request

url, token, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
lat, errors, lock = [], [0], threading.Lock()

def one():
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            r.read()
            ok = r.status == 200
    except Exception:
        ok = False
    with lock:
        lat.append((time.perf_counter() - t) * 1000) if ok else None
        errors[0] += 0 if ok else 1

start, n, threads = time.perf_counter(), 0, []
while time.perf_counter() - start < seconds:
    due = start + n / rate
    time.sleep(max(0.0, due - time.perf_counter()))
    th = threading.Thread(target=one); th.start(); threads.append(th); n += 1
for th in threads: th.join()
lat.sort()
pct = lambda p: round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else None
print(json.dumps({"rate": rate, "requests": n, "ok": len(lat), "errors": errors[0], "p50_ms": pct(0.5), "p99_ms": pct(0.99)}))
