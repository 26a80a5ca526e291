"""Scrapy's offsite filter, letting through the robots.txt of a requisite's host.

A page's stylesheets and images come from any host (`allow_offsite`, crawler/requisites),
and robots.txt is obeyed on each of those hosts too. Scrapy's robots.txt middleware fetches
a host's robots.txt with a request of its own, which the offsite filter (before it in the
chain) would drop: a failed robots.txt counts as "allow everything", so a CDN's rules would
silently not apply. A robots.txt request is only ever made for a request that passed the
offsite filter already, so letting it through admits no other host.
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.utils.httpobj import urlparse_cached


class RequisiteOffsiteMiddleware(OffsiteMiddleware):
    def should_follow(self, request: Request, spider: Spider) -> bool:
        if request.meta.get("dont_obey_robotstxt") and urlparse_cached(request).path == (
            "/robots.txt"
        ):
            return True
        return super().should_follow(request, spider)
