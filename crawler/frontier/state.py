"""The shared state of one crawl in Redis: its workers, their taken requests, what they share.

Keys, all under `crawl_prefix(profile)` (`newsarchive:<profile>:`):

    requests        sorted set   the queue (scrapy-redis's PriorityQueue: score -priority)
    dupefilter      set          request fingerprints seen (scrapy-redis's RFPDupeFilter)
    workers         set          worker ids (`HOST~PID`) that joined the crawl
    alive:<worker>  string       the worker's heartbeat, expiring `ttl` seconds after its last
    state           hash         worker -> "busy" | "idle"
    taken:<worker>  hash         encoded request -> score: taken from the queue, not done yet
    canonicals      hash         canonical URL of an article -> URL of the page that has it
    requisites      hash         requisite URL -> the worker that fetches it
    robots          hash         host:port -> its robots.txt, once one worker fetched it
    hosts           hash         host:port -> the earliest time of its next request

Why each piece:

- A request is moved from `requests` to the worker's `taken` hash by one Lua script (atomic),
  and removed from there once its callback's output is handled. A worker killed with
  SIGKILL stops refreshing `alive:<worker>`; once it has expired, any other worker puts the
  dead one's taken requests back in the queue (`reclaim`), so nothing it had taken is lost.
- The crawl is finished when the queue is empty, no live worker is busy and no dead
  worker's requests wait to be reclaimed (`finished`, one Lua script, so that no request
  can move between the checks). Each worker closes then; the last one to leave deletes the
  crawl's keys, so that the next run of the profile starts afresh (an incremental crawl).
- A worker that joins while no worker is alive starts a new crawl (the keys of an abandoned
  one are deleted) unless it resumes (`--resume`): then it continues the queue as it is.

Server-side time (`TIME`) is used for the per-host delay, so that workers' clocks need not
agree. Every script names keys it builds from the prefix: one Redis server, not a cluster.
Works with redis-py 2.10 (pywb's pin, in the test environment) and 4 or later.
"""

from __future__ import annotations

import logging
from typing import Any

import redis

from crawler.frontier import crawl_prefix, worker_id

logger = logging.getLogger(__name__)

BUSY = b"busy"
IDLE = b"idle"
PENDING = b"\x00pending"  # robots.txt being fetched by one worker

_DATA_KEYS = ("requests", "dupefilter", "state", "canonicals", "requisites", "robots", "hosts")

_JOIN = """
local p, me, resume, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local workers = redis.call('SMEMBERS', p .. 'workers')
local live = 0
for _, w in ipairs(workers) do
  if w ~= me and redis.call('EXISTS', p .. 'alive:' .. w) == 1 then live = live + 1 end
end
local fresh = 0
if live == 0 and resume == '0' then
  for _, w in ipairs(workers) do redis.call('DEL', p .. 'taken:' .. w, p .. 'alive:' .. w) end
  redis.call('DEL', p .. 'workers')
  for i = 5, #ARGV do redis.call('DEL', p .. ARGV[i]) end
  fresh = 1
end
redis.call('SADD', p .. 'workers', me)
redis.call('SET', p .. 'alive:' .. me, '1', 'PX', ttl)
redis.call('HSET', p .. 'state', me, 'busy')
return {fresh, live}
"""

_POP = """
local p, me = ARGV[1], ARGV[2]
local r = redis.call('ZRANGE', p .. 'requests', 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', p .. 'requests', r[1])
redis.call('HSET', p .. 'taken:' .. me, r[1], r[2])
redis.call('HSET', p .. 'state', me, 'busy')
return r[1]
"""

_FINISHED = """
local p, me = ARGV[1], ARGV[2]
if redis.call('ZCARD', p .. 'requests') > 0 then return 0 end
for _, w in ipairs(redis.call('SMEMBERS', p .. 'workers')) do
  if w ~= me then
    if redis.call('EXISTS', p .. 'alive:' .. w) == 1 then
      if redis.call('HGET', p .. 'state', w) ~= 'idle' then return 0 end
    elseif redis.call('EXISTS', p .. 'taken:' .. w) == 1 then
      return 0
    end
  end
end
return 1
"""

# Give the requests of dead workers (heartbeat expired) back to the queue.
_RECLAIM = """
local p, me = ARGV[1], ARGV[2]
local n = 0
for _, w in ipairs(redis.call('SMEMBERS', p .. 'workers')) do
  if w ~= me and redis.call('EXISTS', p .. 'alive:' .. w) == 0 then
    local items = redis.call('HGETALL', p .. 'taken:' .. w)
    for i = 1, #items, 2 do
      redis.call('ZADD', p .. 'requests', items[i + 1], items[i])
      n = n + 1
    end
    redis.call('DEL', p .. 'taken:' .. w)
    redis.call('SREM', p .. 'workers', w)
    redis.call('HDEL', p .. 'state', w)
  end
end
return n
"""

_LEAVE = """
local p, me, finished = ARGV[1], ARGV[2], ARGV[3]
local back = 0
if finished == '0' then
  local items = redis.call('HGETALL', p .. 'taken:' .. me)
  for i = 1, #items, 2 do
    redis.call('ZADD', p .. 'requests', items[i + 1], items[i])
    back = back + 1
  end
end
redis.call('DEL', p .. 'taken:' .. me, p .. 'alive:' .. me)
redis.call('SREM', p .. 'workers', me)
redis.call('HDEL', p .. 'state', me)
local last = 0
if finished == '1' and redis.call('SCARD', p .. 'workers') == 0 then
  for i = 4, #ARGV do redis.call('DEL', p .. ARGV[i]) end
  last = 1
end
return {back, last}
"""

# The wait before the next request to a host, and that host's next slot taken.
_HOST_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local delay = tonumber(ARGV[2])
local nxt = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local at = math.max(now, nxt)
redis.call('HSET', KEYS[1], ARGV[1], tostring(at + delay))
return tostring(at - now)
"""


class Frontier:
    """One worker's view of the shared crawl of `profile` (see the module docstring)."""

    def __init__(
        self,
        server: Any,
        profile: str,
        *,
        worker: str | None = None,
        ttl: float = 30.0,
    ) -> None:
        self.server = server
        self.profile = profile
        self.prefix = crawl_prefix(profile)
        self.worker = worker or worker_id()
        self.ttl = ttl
        self._join = server.register_script(_JOIN)
        self._pop = server.register_script(_POP)
        self._finished = server.register_script(_FINISHED)
        self._reclaim = server.register_script(_RECLAIM)
        self._leave = server.register_script(_LEAVE)
        self._host_slot = server.register_script(_HOST_SLOT)
        self._taken: dict[str, bytes] = {}  # URL -> its encoded request in `taken:<me>`
        self.joined = False

    @classmethod
    def from_url(cls, url: str, profile: str, **kwargs: Any) -> Frontier:
        return cls(redis.StrictRedis.from_url(url, socket_timeout=30), profile, **kwargs)

    def key(self, name: str) -> str:
        return self.prefix + name

    # -- workers --------------------------------------------------------------------------

    def join(self, *, resume: bool) -> bool:
        """Register this worker; True when it starts a new crawl (no worker alive, and not
        `resume`: what an abandoned crawl left is deleted first)."""
        fresh, live = self._join(
            args=[self.prefix, self.worker, int(resume), int(self.ttl * 1000), *_DATA_KEYS]
        )
        self.joined = True
        if fresh:
            logger.info("frontier %s: a new crawl of %s", self.prefix, self.profile)
        else:
            logger.info(
                "frontier %s: joined the crawl of %s (%d other worker(s) alive, %d queued)",
                self.prefix,
                self.profile,
                live,
                self.queued(),
            )
        return bool(fresh)

    def beat(self) -> None:
        """Refresh this worker's heartbeat (call more often than `ttl`)."""
        pipe = self.server.pipeline()
        pipe.set(self.key("alive:" + self.worker), b"1", px=int(self.ttl * 1000))
        # Again a member if it was taken for dead (its reactor stalled past `ttl`): its
        # taken requests went back to the queue, but it is busy, and the crawl must wait.
        pipe.sadd(self.key("workers"), self.worker)
        pipe.execute()

    def is_alive(self, worker: str) -> bool:
        return bool(self.server.exists(self.key("alive:" + worker)))

    def live_workers(self) -> list[str]:
        members = sorted(_text(w) for w in self.server.smembers(self.key("workers")))
        return [w for w in members if self.is_alive(w)]

    def set_idle(self) -> None:
        self.server.hset(self.key("state"), self.worker, IDLE)

    def finished(self) -> bool:
        """Whether the whole crawl is done: queue empty, every other live worker idle and
        no dead worker's requests left to reclaim."""
        return bool(self._finished(args=[self.prefix, self.worker]))

    def reclaim(self) -> int:
        """Put the taken requests of dead workers back in the queue; how many."""
        count = int(self._reclaim(args=[self.prefix, self.worker]))
        if count:
            logger.warning(
                "frontier %s: %d request(s) of a worker that died put back in the queue",
                self.prefix,
                count,
            )
        return count

    def leave(self, *, finished: bool) -> bool:
        """Unregister this worker. Not `finished` (stopped, a page limit): its taken requests
        go back to the queue for the others. True when it was the last worker of a finished
        crawl and deleted the crawl's keys."""
        if not self.joined:
            return False
        back, last = self._leave(args=[self.prefix, self.worker, int(finished), *_DATA_KEYS])
        self.joined = False
        self._taken.clear()
        if back:
            logger.info("frontier %s: %d unfinished request(s) given back", self.prefix, back)
        return bool(last)

    # -- the queue ------------------------------------------------------------------------

    def queued(self) -> int:
        return int(self.server.zcard(self.key("requests")))

    def pop(self) -> bytes | None:
        """Take the next encoded request: moved to this worker's taken requests at once."""
        data = self._pop(args=[self.prefix, self.worker])
        return data or None

    def taken(self, url: str, data: bytes) -> None:
        """Remember that the request for `url` is the taken `data` (for `done`)."""
        self._taken[url] = data

    def done(self, *urls: str) -> None:
        """The requests of `urls` are handled (their callbacks' output is in the queue, the
        archive or the article store): no longer to be reclaimed if this worker dies."""
        items = [self._taken.pop(url) for url in urls if url in self._taken]
        if items:
            self.server.hdel(self.key("taken:" + self.worker), *items)

    def taken_count(self) -> int:
        return int(self.server.hlen(self.key("taken:" + self.worker)))

    # -- what the workers share -----------------------------------------------------------

    def claim_canonical(self, canonical: str, url: str) -> bool:
        """Whether the page at `url` is the first with this canonical URL in the crawl
        (also when it is the same URL again: a dead worker's page fetched anew)."""
        key = self.key("canonicals")
        if self.server.hsetnx(key, canonical, url):
            return True
        return _text(self.server.hget(key, canonical) or b"") == url

    def claim_requisite(self, url: str) -> bool:
        """Whether this worker fetches the requisite `url` (the first to ask does)."""
        key = self.key("requisites")
        if self.server.hsetnx(key, url, self.worker):
            return True
        return _text(self.server.hget(key, url) or b"") == self.worker

    def claim_robots(self, netloc: str) -> bool:
        """Whether this worker fetches `netloc`'s robots.txt (the others wait for it)."""
        return bool(self.server.hsetnx(self.key("robots"), netloc, PENDING))

    def robots(self, netloc: str) -> bytes | None:
        """`netloc`'s robots.txt as stored by `put_robots`: None while not there yet."""
        value = self.server.hget(self.key("robots"), netloc)
        return None if value is None or value == PENDING else value

    def put_robots(self, netloc: str, value: bytes) -> None:
        self.server.hset(self.key("robots"), netloc, value)

    def host_wait(self, netloc: str, delay: float) -> float:
        """Seconds to wait before requesting `netloc`, all workers counted: each request
        takes the host's next slot, `delay` seconds after the previous one."""
        return float(self._host_slot(keys=[self.key("hosts")], args=[netloc, repr(delay)]))

    def run_alive(self, host: str | None, pid: int | None) -> bool:
        """Whether the worker that started a catalog run (its host and pid) is alive."""
        if host is None or pid is None:
            return False
        return self.is_alive(worker_id(host, pid))


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
