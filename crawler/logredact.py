"""Keep credentials given as settings out of the crawl's log.

Scrapy logs every setting given on the command line ("Overridden settings: {...}"), so
`-s SOME_TOKEN=…`, `-s HTTP_PROXY=http://user:password@proxy/` or a telnet password would be
printed to the terminal, a scheduler's log file or a CI log. Every log record is passed
through `redact` before it is formatted: the values of settings whose name says they are
secret (PASSWORD, SECRET, TOKEN, KEY, CREDENTIAL) become `***`, and so does the password of
any URL with user information (`http://user:***@host/`), wherever it appears.

A record factory is used rather than a filter on one logger or handler: filters do not
apply to records of child loggers, and Scrapy installs its handlers only later.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

MASK = "***"
SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL", re.IGNORECASE)
# scheme://user:password@ — the password part (up to the last "@" before the host).
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][\w+.-]*://[^\s/:@'\"]*:)[^\s/@'\"]*(?=@)")
_MIN_SECRET = 3  # shorter values ("1", "no") would mask ordinary text


def url_userinfo_redacted(text: str) -> str:
    """`text` with the password of every `scheme://user:password@` replaced by `***`."""
    return _URL_PASSWORD.sub(lambda m: m.group("head") + MASK, text)


def secret_values(settings: Iterable[tuple[str, Any]]) -> frozenset[str]:
    """The values to hide: those of settings with a secret name, and URL passwords."""
    found: set[str] = set()
    for name, value in settings:
        if not isinstance(value, str | bytes):
            continue
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        if SECRET_NAME.search(str(name)) and len(text) >= _MIN_SECRET:
            found.add(text)
        for match in re.finditer(r"://[^\s/:@]*:([^\s/@]+)@", text):
            if len(match.group(1)) >= _MIN_SECRET:
                found.add(match.group(1))
    return frozenset(found)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without the `secrets` (longest first) and without URL passwords."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return url_userinfo_redacted(text)


def install_log_redaction(settings: Any) -> None:
    """Redact every log record of this process from now on (see the module docstring).

    `settings`: Scrapy `Settings` (or any object with `items()` of name → value pairs).
    """
    secrets = secret_values(settings.items())
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's to report, not ours
            return record
        cleaned = redact(message, secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return record

    logging.setLogRecordFactory(factory)
