"""The scenario editor: problems shown where they are, the changes against the published
version, the preview of a draft next to the published version, saving and publishing.

The module's server is shared: the tests that change the published scenario come last.
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Login, shoot
from tests.e2e.live import LiveServer

SALES_OPTION = '"1": {queue: {name: sales}}'
#: A queue nobody is a member of: a draft sending contacts there serves none of them.
NOBODY = "unstaffed"


@pytest.fixture
def editor(login: Login, server: LiveServer) -> Page:
    page = login(server.data.admins[0][0], path="/scenarios")
    expect(page.locator("#scn-status")).to_have_text("No problems")
    return page


def text_of(page: Page) -> str:
    return str(page.locator("#scn-text").input_value())


def sales_to(text: str, queue: str) -> str:
    """The text with the menu's option 1 sending contacts to ``queue`` instead of sales."""
    return text.replace(SALES_OPTION, SALES_OPTION.replace("sales", queue))


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_a_problem_is_shown_on_its_line_and_fixing_it_clears_it(editor: Page) -> None:
    published = text_of(editor)
    line = line_of(published, SALES_OPTION)
    editor.fill("#scn-text", sales_to(published, "salez"))

    expect(editor.locator("#scn-status")).to_have_text("1 problem")
    expect(editor.locator(".code-line").nth(line - 1)).to_have_class(re.compile("has-problem"))
    expect(editor.locator(".code-line.has-problem")).to_have_count(1)
    problem = editor.locator(".scn-problem")
    expect(problem).to_contain_text(f"{line}:")
    expect(problem).to_contain_text("salez")

    problem.click()  # the caret goes to the place of the problem
    caret = editor.evaluate(
        "() => { const a = document.querySelector('#scn-text');"
        " return a.value.slice(0, a.selectionStart).split('\\n').length; }"
    )
    assert caret == line
    expect(editor.locator("#scn-text")).to_be_focused()

    editor.fill("#scn-text", published)
    expect(editor.locator("#scn-status")).to_have_text("No problems")
    expect(editor.locator(".code-line.has-problem")).to_have_count(0)
    expect(editor.locator("#scn-problems")).to_be_hidden()


def test_the_keyboard_indents_keeps_indentation_and_checks(editor: Page) -> None:
    area = editor.locator("#scn-text")
    area.click()
    editor.keyboard.press("Control+End")
    editor.keyboard.type("\n")
    editor.keyboard.press("Tab")
    editor.keyboard.type("x:")
    editor.keyboard.press("Enter")
    editor.keyboard.type("y")
    assert text_of(editor).endswith("\n  x:\n    y")
    editor.keyboard.press("Control+Enter")
    expect(editor.locator("#scn-status")).to_contain_text("problem")
    editor.keyboard.press("Escape")
    editor.keyboard.press("Tab")  # after Esc, Tab leaves the editor
    expect(area).not_to_be_focused()


def test_the_changes_show_what_was_edited(editor: Page) -> None:
    published = text_of(editor)
    editor.fill("#scn-text", sales_to(published, "general"))
    editor.click("#scn-tab-changes")
    expect(editor.locator("#scn-diff-summary")).to_contain_text("1 line added, 1 line removed")
    expect(editor.locator(".diff-del")).to_contain_text("name: sales")
    expect(editor.locator(".diff-add")).to_contain_text("name: general")
    expect(editor.locator(".diff-same").first).to_be_visible()


def test_the_preview_shows_the_draft_next_to_the_published_version(
    editor: Page, api: httpx.Client, screenshots: object
) -> None:
    assert api.put(f"/queues/{NOBODY}", json={"name": "Unstaffed"}).status_code in (200, 201)
    editor.reload()
    published = text_of(editor)
    draft = sales_to(published, NOBODY)
    editor.fill("#scn-text", draft)
    expect(editor.locator("#scn-status")).to_have_text("No problems")

    editor.click("#scn-tab-preview")
    editor.check("input[name=kind][value=generated]")
    editor.fill("#scn-per-hour", "90")
    editor.click("#scn-run-preview")

    total = editor.locator("tbody.scn-total")
    expect(total.locator("tr.scn-current")).to_contain_text("Published v1")
    expect(total.locator("tr.scn-draft td").nth(1)).to_contain_text("%")
    expect(total.locator("tr.scn-current td").nth(1)).to_contain_text("%")
    expect(total.locator("tr.scn-change td").nth(1)).to_have_class(re.compile("delta-worse"))
    expect(editor.locator(".scn-queue", has_text="Unstaffed")).to_be_visible()
    expect(editor.locator(".scn-preview-facts")).to_contain_text("agents")

    # a slip while the preview is on screen: marked in place, the preview stays
    line = line_of(draft, f"name: {NOBODY}")
    editor.fill("#scn-text", draft.replace(f"name: {NOBODY}", "name: unstafed"))
    expect(editor.locator(".code-line").nth(line - 1)).to_have_class(re.compile("has-problem"))
    expect(total).to_be_visible()
    shoot(editor, screenshots, "scenario-editor")  # type: ignore[arg-type]


def test_a_draft_with_a_problem_is_not_previewed(editor: Page) -> None:
    published = text_of(editor)
    editor.fill("#scn-text", sales_to(published, "salez"))
    editor.click("#scn-tab-preview")
    editor.click("#scn-run-preview")
    expect(editor.locator("#scn-preview-form .form-error")).to_contain_text("problems")
    expect(editor.locator(".code-line.has-problem")).to_have_count(1)
    assert "salez" in text_of(editor)  # nothing is lost


def test_a_supervisor_sees_everything_but_cannot_save_or_publish(
    login: Login, server: LiveServer
) -> None:
    page = login(server.data.supervisors[0][0], path="/scenarios")
    expect(page.locator("#scn-status")).to_have_text("No problems")
    expect(page.locator("#scn-version-rows tr")).not_to_have_count(0)
    expect(page.locator("#scn-publish")).to_have_count(0)
    expect(page.locator("#scn-save")).to_have_count(0)
    page.locator("#scn-text").click()
    page.keyboard.press("Control+s")
    expect(page.locator(".toast-error")).to_contain_text("Only administrators")


def test_an_admin_saves_a_draft_then_publishes_it(editor: Page) -> None:
    published = text_of(editor)
    before = editor.locator("#scn-version-rows tr").count()
    changed = sales_to(published, "general")
    editor.fill("#scn-text", changed)
    expect(editor.locator("#scn-state")).to_contain_text("unsaved changes")

    editor.locator("#scn-text").press("Control+s")
    editor.fill("#scn-save-comment", "sales to general")
    editor.click("#scn-save-form button[type=submit]")
    expect(editor.locator(".toast-ok")).to_contain_text("Saved as version")
    rows = editor.locator("#scn-version-rows tr")
    expect(rows).to_have_count(before + 1)
    draft = rows.first
    expect(draft).to_contain_text("sales to general")
    expect(draft.locator(".scn-live")).to_have_count(0)
    number = draft.locator(".scn-open").inner_text()

    editor.click("#scn-publish")
    dialog = editor.locator("#scn-publish-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".diff-add")).to_contain_text("name: general")
    editor.click("#scn-publish-confirm")
    expect(dialog.locator("#scn-publish-note")).to_contain_text(f"Version {number} is published")
    expect(dialog.locator("#scn-publish-note")).to_contain_text("keep their place in line")
    editor.click("#scn-publish-cancel")
    expect(rows.first.locator(".scn-live")).to_have_text("In use")
    expect(editor.locator("#scn-state")).to_have_text(f"Version {number} · published")
    expect(editor.locator("#scn-published-note")).to_be_visible()
    editor.reload()
    assert text_of(editor) == changed
