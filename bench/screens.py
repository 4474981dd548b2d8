#!/usr/bin/env python3
"""Waiting-room screens under load: SCREENS event streams of one unit's display while an officer
calls tickets, and how long each call takes to reach all of them.

A supervisor first opens the desk around the clock (so that the bench runs at any hour), the
officer checks CALLS walk-ins in and opens counter 1. Every screen holds
`GET /api/v1/units/{code}/display/events` open. For each call, the ticket at the counter is
served (untimed, and its event let through to every screen), then `next` is called; each
screen's delay is from just before that request was sent to the moment its new `display` event
arrived. The baseline, measured in the same run, is a plain `GET /api/v1/units/{code}/display`
with no screen connected. Only the standard library: one asyncio connection per screen.

    bench/screens.py HOST PORT UNIT OFFICER SUPERVISOR [SCREENS] [CALLS] [SERVER_PID]

OFFICER and SUPERVISOR are `phone:password`.

With the server's pid, its own memory (RssAnon) is read before the screens connect (after the
login, whose Argon2 hash leaves its buffer to the allocator) and once every screen has its
first display: the difference is what the screens cost.
"""

import asyncio
import json
import statistics
import sys
import time
import urllib.request


def call(base, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def own_memory_kib(pid):
    if pid is None:
        return None
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return None


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Screen:
    def __init__(self):
        self.ids = []  # (event id, arrival time)
        self.got = asyncio.Event()

    async def follow(self, host, port, unit, ready):
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(
            f"GET /api/v1/units/{unit}/display/events HTTP/1.1\r\nHost: {host}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        status = await reader.readline()
        assert b" 200 " in status, status
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        ready.release()
        while True:
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b"id: "):
                self.ids.append((int(line[4:]), time.monotonic()))
                self.got.set()


async def main():
    host, port, unit, officer, supervisor = sys.argv[1:6]
    screens = int(sys.argv[6]) if len(sys.argv) > 6 else 500
    changes = int(sys.argv[7]) if len(sys.argv) > 7 else 40
    pid = int(sys.argv[8]) if len(sys.argv) > 8 else None
    base = f"http://{host}:{port}/api/v1"

    def login(account):
        phone, password = account.split(":", 1)
        return call(base, "POST", "/auth/login", body={"phone": phone, "password": password})["access_token"]

    token = login(officer)
    all_day = [{"start": "00:00", "end": "23:59"}]
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    desk = {"time_zone": "Asia/Ho_Chi_Minh", "opening_hours": {day: all_day for day in days},
            "intake_cutoff": "23:00", "counters": 3, "slot_minutes": 15}
    call(base, "PUT", f"/units/{unit}/settings", login(supervisor), desk)
    for _ in range(changes):
        call(base, "POST", f"/units/{unit}/tickets", token, {})
    call(base, "PUT", f"/units/{unit}/counters/1", token, {"state": "open"})
    loop = asyncio.get_running_loop()

    # Baseline: the same display, asked for plainly, one request at a time.
    plain = []
    for _ in range(50):
        started = time.monotonic()
        await loop.run_in_executor(None, call, base, "GET", f"/units/{unit}/display")
        plain.append((time.monotonic() - started) * 1000)

    before_screens = own_memory_kib(pid)
    ready = asyncio.Semaphore(0)
    followers = [Screen() for _ in range(screens)]
    tasks = [asyncio.create_task(s.follow(host, port, unit, ready)) for s in followers]
    for _ in followers:
        await asyncio.wait_for(ready.acquire(), 30)
    await asyncio.wait_for(asyncio.gather(*(s.got.wait() for s in followers)), 30)
    with_screens = own_memory_kib(pid)

    async def reach_every_screen(request):
        """Sends the request; each screen's delay to its next event, and how many never got it."""
        before = [len(s.ids) for s in followers]
        started = time.monotonic()
        answer = await loop.run_in_executor(None, request)
        deadline = started + 5
        while time.monotonic() < deadline and any(len(s.ids) == n for s, n in zip(followers, before)):
            await asyncio.sleep(0.005)
        arrived = [(s.ids[n][1] - started) * 1000 for s, n in zip(followers, before) if len(s.ids) > n]
        return answer, arrived, len(followers) - len(arrived)

    delays, missed, at_counter = [], 0, None
    for _ in range(changes):
        if at_counter is not None:
            serve = lambda: call(base, "POST", f"/tickets/{at_counter}/served", token, {})
            await reach_every_screen(serve)
        next_ticket = lambda: call(base, "POST", f"/units/{unit}/counters/1/next", token)
        called, arrived, lost = await reach_every_screen(next_ticket)
        at_counter = called["id"]
        delays.extend(arrived)
        missed += lost
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()

    base_p50 = statistics.median(plain)
    p50, p99 = statistics.median(delays), percentile(delays, 99)
    print(f"screens {screens}, calls {changes}, deliveries {len(delays)}, missed {missed}")
    print(f"plain GET display: p50 {base_p50:.1f} ms, p99 {percentile(plain, 99):.1f} ms")
    print(f"call to every screen: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(delays):.1f} ms")
    print(f"ratios to the plain GET's p50: p50 {p50 / base_p50:.2f}x, p99 {p99 / base_p50:.2f}x")
    if pid is not None:
        after = own_memory_kib(pid)
        cost = with_screens - before_screens
        print(
            f"server memory (RssAnon): {before_screens // 1024} MiB before the screens, "
            f"{with_screens // 1024} MiB with them connected, {after // 1024} MiB after the changes; "
            f"the screens cost {cost / 1024:.1f} MiB ({cost / screens:.1f} KiB each)"
        )
        print(f"MEMORY with_screens_kib={max(with_screens, after)}")
    print(f"RESULT p99_ms={p99:.1f} missed={missed}")


asyncio.run(main())
