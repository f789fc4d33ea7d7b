"""Mini App init data: Telegram's signature over the sorted fields, a fresh auth_date, a user."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pytest

from bot.transport.initdata import (
    InitDataError,
    init_data_from_header,
    sign,
    verify_init_data,
)

TOKEN = "123456:TEST-token"
NOW = 1_700_000_000
DAY = 86_400.0

# Computed with openssl, not with our code:
#   KEY=$(printf '%s' "$TOKEN" | openssl dgst -sha256 -hmac WebAppData -binary | xxd -p -c 256)
#   printf '%s' "$DATA_CHECK_STRING" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEY
KNOWN_USER = (
    '{"id":279058397,"first_name":"Vladislav","last_name":"Kibenko","username":"vdkfrost",'
    '"language_code":"ru","is_premium":true,"allows_write_to_pm":true}'
)
KNOWN_HASH = "20debfa4b2c1333ab14b47f8f14dcaf504742c5619e0bd4080309c6e2904fe34"
KNOWN_INIT_DATA = (
    f"query_id=AAHdF6IQAAAAAN0XohDhrOrc&user={quote(KNOWN_USER, safe='')}"
    f"&auth_date={NOW}&hash={KNOWN_HASH}"
)


def signed_init_data(
    token: str = TOKEN, *, auth_date: int = NOW, user: dict[str, object] | None = None
) -> str:
    """Init data as Telegram builds it: the fields, then their hash."""
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user or {"id": 42, "first_name": "Ann", "language_code": "de"}),
        "auth_date": str(auth_date),
    }
    return urlencode({**fields, "hash": sign(fields, token)})


def test_a_vector_computed_with_openssl_is_accepted() -> None:
    user = verify_init_data(KNOWN_INIT_DATA, TOKEN, max_age=DAY, now=NOW + 5)
    assert (user.id, user.first_name, user.username, user.language_code) == (
        279058397,
        "Vladislav",
        "vdkfrost",
        "ru",
    )


def test_init_data_signed_the_same_way_is_accepted() -> None:
    user = verify_init_data(signed_init_data(), TOKEN, max_age=DAY, now=NOW)
    assert (user.id, user.language_code) == (42, "de")


@pytest.mark.parametrize(
    "init_data",
    [
        KNOWN_INIT_DATA.replace("279058397", "279058398"),  # another user id
        KNOWN_INIT_DATA.replace(f"auth_date={NOW}", f"auth_date={NOW + 1}"),
        KNOWN_INIT_DATA.replace(KNOWN_HASH, KNOWN_HASH[:-1] + "5"),
        KNOWN_INIT_DATA + "&extra=1",  # a field the signature does not cover
        KNOWN_INIT_DATA.replace(f"&hash={KNOWN_HASH}", ""),
        signed_init_data("654321:OTHER-token"),
    ],
    ids=["user", "auth_date", "hash", "added-field", "no-hash", "other-bot"],
)
def test_tampered_or_foreign_init_data_is_refused(init_data: str) -> None:
    with pytest.raises(InitDataError):
        verify_init_data(init_data, TOKEN, max_age=DAY, now=NOW + 5)


def test_a_stale_or_future_auth_date_is_refused() -> None:
    verify_init_data(signed_init_data(auth_date=NOW - 3600), TOKEN, max_age=3600, now=NOW)
    with pytest.raises(InitDataError, match="too old"):
        verify_init_data(signed_init_data(auth_date=NOW - 3601), TOKEN, max_age=3600, now=NOW)
    with pytest.raises(InitDataError, match="future"):
        verify_init_data(signed_init_data(auth_date=NOW + 3600), TOKEN, max_age=3600, now=NOW)


@pytest.mark.parametrize("user", [{"first_name": "no id"}, {"id": "42", "first_name": "text id"}])
def test_a_user_without_a_numeric_id_is_refused(user: dict[str, object]) -> None:
    with pytest.raises(InitDataError, match="user"):
        verify_init_data(signed_init_data(user=user), TOKEN, max_age=DAY, now=NOW)


@pytest.mark.parametrize(
    "header",
    [None, "", "tma", "tma ", "Bearer abc", "tma " + "a" * 9000],
)
def test_headers_that_are_not_tma_init_data_are_refused(header: str | None) -> None:
    with pytest.raises(InitDataError):
        init_data_from_header(header)


def test_the_header_carries_the_init_data() -> None:
    assert init_data_from_header(f"tma {KNOWN_INIT_DATA}") == KNOWN_INIT_DATA
