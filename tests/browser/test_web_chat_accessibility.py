"""Accessibility of the web chat: axe-core finds nothing serious, and it reflows on small and zoomed screens."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    assert_no_page_errors,
    bot_messages,
    expect,
    message_field,
    open_chat,
    send,
    send_button,
    skip_or_fail,
    until,
)

pytestmark = pytest.mark.slow

QUESTION = "Was fördert die Klimarichtlinie bei der Klimaanpassung?"
BLOCKING = ("serious", "critical")


async def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (axe-core comes bundled in axe-playwright-python)."""
    try:
        from axe_playwright_python.async_playwright import Axe
    except ImportError as exc:
        skip_or_fail(f"axe-playwright-python is not installed ({exc}): pip install axe-playwright-python")

    results = await Axe().run(page)
    return results.response["violations"]


def readable(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


async def assert_no_serious_violations(page, when: str) -> None:
    violations = await axe_violations(page)
    blocking = [v for v in violations if v.get("impact") in BLOCKING]
    minor = [v for v in violations if v.get("impact") not in BLOCKING]
    if minor:
        print(f"axe, {when}, minor findings:\n{readable(minor)}")
    assert not blocking, (
        f"axe-core, {when}: {len(blocking)} serious or critical violation(s)\n{readable(blocking)}"
    )


async def test_axe_finds_nothing_serious_after_the_greeting_and_after_an_answer(web_chat, visitors, page):
    await open_chat(page, web_chat)
    await assert_no_serious_violations(page, "after the greeting")
    await send(page, QUESTION)
    await until(page, "Quelle:")
    await assert_no_serious_violations(page, "after an answer")
    assert_no_page_errors(visitors, page)


async def no_horizontal_scroll(page) -> None:
    widths = await page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"], f"the page scrolls sideways: {widths}"


async def fits_across(page, locator, name: str) -> None:
    """Visible, and inside the viewport's width once scrolled to (nothing cut off at the side)."""
    await expect(locator).to_be_visible()
    await locator.scroll_into_view_if_needed()
    await expect(locator).to_be_in_viewport()
    box = await locator.bounding_box()
    width = await page.evaluate("() => document.documentElement.clientWidth")
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (
        f"{name} sticks out: {box}, {width}"
    )


@pytest.mark.parametrize(
    "screen",
    [
        pytest.param({"viewport": {"width": 320, "height": 640}}, id="320x640"),
        # a 1280 x 800 window at 200 % zoom: 640 x 400 CSS pixels, drawn with two device pixels each
        pytest.param({"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}, id="zoom-200"),
    ],
)
async def test_small_and_zoomed_screens_reflow_without_sideways_scrolling(web_chat, visitors, screen):
    page = await visitors.open(**screen)
    await open_chat(page, web_chat)
    await no_horizontal_scroll(page)
    await fits_across(page, message_field(page), "the message field")
    await fits_across(page, send_button(page), "Senden")
    await fits_across(page, bot_messages(page).first.get_by_role("button").first, "a menu button")

    await send(page, QUESTION)
    await until(page, "Quelle:")
    await no_horizontal_scroll(page)
    await fits_across(page, message_field(page), "the message field")
    await fits_across(page, send_button(page), "Senden")
    assert_no_page_errors(visitors, page)
