"""Keyboard use: the skip link comes first."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.e2e


def test_first_tab_on_home_focuses_the_skip_link(page: Page, live_server: LiveServer, transactional_db: None) -> None:
    page.goto("/")
    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Vai al contenuto principale")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None
    assert box["width"] > 10, f"il link di salto non diventa visibile quando riceve il focus: {box}"
    assert box["height"] > 10, f"il link di salto non diventa visibile quando riceve il focus: {box}"

    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/#contenuto")
