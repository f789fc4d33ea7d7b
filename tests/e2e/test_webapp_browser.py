"""The Mini App in a real browser (Debian's chromium driven by Playwright) against the real bot.

The page is served by the bot's own HTTP server on loopback; Telegram's ``WebApp`` object is
stubbed with init data signed the way Telegram signs it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.transport.initdata import sign
from tests.e2e.conftest import RunningBot
from tests.e2e.test_webhook import free_port

CHROMIUM = Path("/usr/bin/chromium")
# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082"
)
USER = 3101
THEME = {
    "bg_color": "#17212b",
    "text_color": "#f5f5f5",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#232e3c",
    "hint_color": "#708499",
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
    ),
]


def signed_init_data(token: str, user_id: int) -> str:
    fields = {
        "query_id": "AAH-browser",
        "user": json.dumps({"id": user_id, "first_name": "Wes", "language_code": "en"}),
        "auth_date": str(int(time.time())),
    }
    return urlencode({**fields, "hash": sign(fields, token)})


def telegram_stub(init_data: str | None) -> str:
    """What telegram-web-app.js would define, minus everything the page does not use."""
    web_app = {
        "initData": init_data or "",
        "initDataUnsafe": {},
        "themeParams": THEME,
        "colorScheme": "dark",
    }
    return (
        f"window.Telegram = {{WebApp: Object.assign({json.dumps(web_app)}, {{"
        "ready() { window.__ready = true; }, expand() {}, onEvent() {} })};"
    )


async def _open(page: object, url: str, init_data: str | None, *, stub: bool = True) -> None:
    if stub:
        await page.add_init_script(telegram_stub(init_data))  # type: ignore[attr-defined]
    # Telegram's own script comes from telegram.org in production; there is no network here.
    await page.route(  # type: ignore[attr-defined]
        "https://telegram.org/**",
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=""),
    )
    # Demos by URL come from wger.de; here a small picture of our own stands in for them.
    await page.route(  # type: ignore[attr-defined]
        "https://wger.de/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=PNG),
    )
    await page.goto(url)  # type: ignore[attr-defined]


async def test_profile_chart_and_an_edit_that_the_bot_then_shows(
    bot: RunningBot, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    port = free_port()
    await bot.start(web_app_url=f"http://127.0.0.1:{port}/app/", port=port)
    bot.telegram.user_sends(USER, "/profile height=180 cm weight=80 kg age=34 sex=male")
    await bot.telegram.wait_for_messages(USER, 1)
    bot.telegram.user_sends(USER, "/weight 82.5 kg")  # a weigh-in: the chart's point
    await bot.telegram.wait_for_messages(USER, 2)
    init_data = signed_init_data(bot.telegram.token, USER)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = await browser.new_page(viewport={"width": 420, "height": 1100})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await _open(page, f"http://127.0.0.1:{port}/app/", init_data)

            form = page.locator("#profile-form")
            await form.locator("input[name=height_cm]").wait_for(state="visible")
            assert await form.locator("input[name=height_cm]").input_value() == "180"
            assert await form.locator("input[name=weight]").input_value() == "82.5"
            assert await page.locator(".bmi-value").text_content() == "25.5"
            assert await page.evaluate("window.__ready") is True
            # The chart drew: a healthy band, the weigh-in's line and point, dated.
            await page.locator("#weight-chart circle").wait_for()
            today = time.strftime("%m-%d", time.gmtime())
            assert await page.locator("#weight-chart text", has_text=today).count() == 1
            assert await page.locator("#weight-chart rect.band").count() == 1
            assert await page.locator("#weight-chart text").count() > 3
            background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert background == "rgb(23, 33, 43)"  # Telegram's theme colour, not ours

            await form.locator("input[name=weight]").fill("79.5")
            await form.locator("select[name=goal]").select_option("strength")
            await form.locator("button[type=submit]").click()
            await page.locator("#form-status", has_text="Saved.").wait_for()
            assert await page.locator(".bmi-value").text_content() == "24.5"
            await page.screenshot(path=str(tmp_path / "miniapp-profile.png"), full_page=True)

            await form.locator("input[name=age]").fill("5")
            await form.locator("button[type=submit]").click()
            status = page.locator("#form-status.error")
            await status.wait_for()
            assert "Nothing was changed" in (await status.text_content() or "")

            # Switching units converts what is shown and stores only the choice of units.
            await form.locator("input[name=age]").fill("34")
            await form.locator("select[name=units]").select_option("imperial")
            assert await form.locator("input[name=height_ft]").input_value() == "5"
            assert await form.locator("input[name=height_in]").input_value() == "11"
            assert await form.locator("input[name=weight]").input_value() == "175"
            await form.locator("button[type=submit]").click()
            await page.locator("#form-status:not(.error)", has_text="Saved.").wait_for()
            assert await form.locator("input[name=weight]").input_value() == "175"

            await page.locator("#tabs button[data-tab=exercises]").click()
            await page.locator("#exercise-list li").first.wait_for()
            await page.locator("#search").fill("push")
            await page.locator('#exercise-list li[data-slug="push-up"]').click()
            await page.locator("#exercise-cues li").first.wait_for()
            demo = page.locator("#exercise-demo img")
            await demo.wait_for()
            assert await demo.evaluate("img => img.complete && img.naturalWidth > 0")
            assert "CC" in (await page.locator("#exercise-demo p").text_content() or "")
            await page.screenshot(path=str(tmp_path / "miniapp-exercise.png"), full_page=True)

            # A demo shipped in the package, fetched with the session and shown animated.
            await page.locator("#back").click()
            await page.locator("#search").fill("ab rollout")
            await page.locator('#exercise-list li[data-slug="ab-rollout"]').click()
            gif = page.locator("#exercise-demo img")
            await page.wait_for_function(
                "document.querySelector('#exercise-demo img')?.src.startsWith('blob:')"
            )
            assert await gif.evaluate("img => img.decode().then(() => img.naturalWidth > 0)")
            await page.screenshot(path=str(tmp_path / "miniapp-demo.png"), full_page=True)
            assert errors == []
        finally:
            await browser.close()

    bot.telegram.user_sends(USER, "/profile")
    messages = await bot.telegram.wait_for_messages(USER, 3)
    shown = messages[-1]["text"]
    assert "Weight: 175 lb" in shown
    assert "Units: imperial" in shown
    assert "build strength" in shown
    assert "Age: 34" in shown  # the refused edit changed nothing
    path = bot.database_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as connection:
        stored = connection.execute(
            "SELECT height_cm, weight_kg FROM users WHERE id = ?", (USER,)
        ).fetchone()
    assert stored == (180.0, 79.5)  # not re-rounded to whole inches and pounds


@pytest.mark.parametrize("stub", [False, True], ids=["no-telegram-object", "empty-init-data"])
async def test_outside_telegram_the_page_says_to_open_it_from_the_bot(
    bot: RunningBot, tmp_path: Path, stub: bool
) -> None:
    from playwright.async_api import async_playwright

    port = free_port()
    await bot.start(web_app_url=f"http://127.0.0.1:{port}/app/", port=port)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = await browser.new_page(locale="de-DE")
            await _open(page, f"http://127.0.0.1:{port}/app/", None, stub=stub)
            notice = page.locator("#notice.error")
            await notice.wait_for()
            assert "Telegram" in (await notice.text_content() or "")
            assert "Öffne" in (await notice.text_content() or "")
            assert await page.locator("#profile-view").is_hidden()
            await page.screenshot(path=str(tmp_path / "miniapp-outside.png"))
        finally:
            await browser.close()
