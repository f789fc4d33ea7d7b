"""Fetch wger's ``/api/v2/exerciseinfo/`` pages (no key needed for reads), following ``next``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any, Final
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx2

from bot.catalog.importers import WGER_BASE_URL
from bot.errors import ImportSourceError

logger = logging.getLogger(__name__)

EXERCISEINFO_PATH: Final = "/api/v2/exerciseinfo/"
DEFAULT_PAGE_SIZE: Final = 100
# wger has about a thousand exercises; a runaway ``next`` chain stops here.
MAX_PAGES: Final = 200
TIMEOUT_SECONDS: Final = 30.0
USER_AGENT: Final = "FitCoach-catalog-importer/0.1"


def first_page_url(base_url: str, page_size: int = DEFAULT_PAGE_SIZE) -> str:
    """``{base_url}/api/v2/exerciseinfo/?limit=...&offset=0``."""
    query = urlencode({"limit": page_size, "offset": 0})
    return f"{base_url.rstrip('/')}{EXERCISEINFO_PATH}?{query}"


def rebase(url: str, base_url: str) -> str:
    """``url`` with the scheme and host of ``base_url``.

    wger writes absolute ``next`` links with its own public host; behind a mirror or a
    proxy that host may not be the one we were told to use.
    """
    target, base = urlsplit(url), urlsplit(base_url)
    return urlunsplit((base.scheme, base.netloc, target.path, target.query, ""))


async def exerciseinfo_pages(
    base_url: str = WGER_BASE_URL,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    client: httpx2.AsyncClient | None = None,
) -> AsyncIterator[Mapping[str, Any]]:
    """Yield each decoded page, first to last.

    Raises ImportSourceError with a one-line reason when the server cannot be reached,
    answers an error status, or sends something that is not a page of results.
    """
    own_client = client is None
    http = client or httpx2.AsyncClient(
        timeout=TIMEOUT_SECONDS, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
    )
    try:
        url: str | None = first_page_url(base_url, page_size)
        seen: set[str] = set()
        while url is not None and url not in seen:
            if len(seen) >= MAX_PAGES:
                logger.warning("Stopped after %d pages of %s", MAX_PAGES, base_url)
                return
            seen.add(url)
            page = await _get_page(http, url, base_url)
            logger.info("Fetched %s (%d exercises)", url, len(page["results"]))
            yield page
            following = page.get("next")
            url = rebase(following, base_url) if isinstance(following, str) and following else None
    finally:
        if own_client:
            await http.aclose()


async def _get_page(http: httpx2.AsyncClient, url: str, base_url: str) -> Mapping[str, Any]:
    try:
        response = await http.get(url)
    except httpx2.TimeoutException:
        raise ImportSourceError(
            f"the wger API at {base_url} did not answer within {TIMEOUT_SECONDS:.0f} s"
        ) from None
    except httpx2.HTTPError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ImportSourceError(f"cannot reach the wger API at {base_url}: {reason}") from None
    if response.status_code != 200:
        raise ImportSourceError(
            f"the wger API answered HTTP {response.status_code} for {url}; try again later"
        )
    try:
        page = response.json()
    except ValueError:
        raise ImportSourceError(f"the wger API sent something that is not JSON for {url}") from None
    if not isinstance(page, dict) or not isinstance(page.get("results"), list):
        raise ImportSourceError(f"the wger API answer for {url} has no list of results")
    return page
