"""The fit status on the edit page: cached by content, computed in the background, never awaited.

Most tests put a stand-in for printing (its fit search and its cache of
fits, as webapp.reports.printer offers them) in place, to count calls and
choose the answer; the last tests run printing's real fit search and cache.
"""
from __future__ import annotations

import io
import json
import os
import re
from dataclasses import dataclass, field

import pytest
from pypdf import PdfReader

from tests.editing.conftest import form_fields, sheet24
from tests.htmlpage import Page
from webapp.editing import fit


@dataclass
class StubFit:
    size_pt: float
    fits: bool
    renders: int = 2
    overflow_sections: list = field(default_factory=list)
    overflowing: tuple = ()
    cause: str = ""


class Printing:
    """Stands in for printing.fit_sheet (a search, whose result is cached by content) and printing.lookup_fit."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = []
        self.cache = {}

    @staticmethod
    def _key(sheet, year):
        return json.dumps([sheet, year], sort_keys=True, ensure_ascii=False)

    def __call__(self, sheet, year):
        self.calls.append((sheet["number"], year, sheet["challenges"]))
        if isinstance(self.answer, Exception):
            raise self.answer
        self.cache[self._key(sheet, year)] = self.answer
        return self.answer

    def lookup(self, sheet, year):
        return self.cache.get(self._key(sheet, year))


@pytest.fixture
def printing(app24, monkeypatch):
    stub = Printing(StubFit(9.5, True))
    monkeypatch.setattr(fit, "fit_function", lambda with_pdf=True: stub)
    monkeypatch.setattr(fit, "lookup_function", lambda: stub.lookup)
    monkeypatch.setattr(fit, "estimate_function", lambda: no_estimate)  # every check lays out
    app24.config["EDITING_FIT_JOBS"] = True
    return stub


def no_estimate(sheet, year):
    """Stands in for printing.surefit.sure_size on a sheet near the page's end."""
    return None


def test_message_when_it_fits():
    status = fit.from_fit(StubFit(9.5, True), 2024, "k", 3)
    assert status.message == "1ページに収まります（9.5pt）" and status.level == "success"
    assert (status.version, status.current_version, status.stale) == (3, 3, False)
    assert fit.from_fit(StubFit(10.0, True), 2024).message == "1ページに収まります（10pt）"


def test_message_when_it_does_not_fit_names_the_longest_sections():
    sections = [("２０２４年度の活動実績（主要な取組）と評価／○具体的取組", 1400), ("目的", 300)]
    status = fit.from_fit(StubFit(7.0, False, 6, sections), 2024, "k", 1)
    assert status.message == ("1ページに収まりません：『２０２４年度の活動実績（主要な取組）と評価／○具体的取組』"
                              "を短くしてください")
    assert status.level == "danger"
    two = fit.to_shorten([("２０２５年度以降の取組（計画）／○具体的取組", 900),
                          ("プロジェクトを推進する上での課題", 800), ("目的", 700)])
    assert two == ["２０２５年度以降の取組（計画）／○具体的取組", "プロジェクトを推進する上での課題"]


def test_when_figures_are_the_cause_the_message_says_so():
    status = fit.from_fit(StubFit(7.0, False, overflowing=("figures",), cause="figures"), 2023)
    assert status.message == ("1ページに収まりません：『図表・写真』の画像を入れる余白がありません。"
                              "画像を減らすか、文章を短くしてください（画像がなければ文章は収まります）")


@dataclass
class KeyedFit:
    """printing's Fit, which reports overflowing sections by key."""
    size_pt: float
    fits: bool
    overflowing: tuple = ()
    overflow_sections: list = field(default_factory=list)
    cause: str = "text"


def test_sections_printing_names_by_key_are_labelled_from_the_section_table():
    status = fit.from_fit(KeyedFit(7.0, False, ("results_actions", "figures")), 2023)
    assert status.overflow == ("２０２３年度の活動実績（主要な取組）と評価／○具体的取組", "図表・写真")
    assert status.message == ("1ページに収まりません：『２０２３年度の活動実績（主要な取組）と評価／○具体的取組』"
                              "・『図表・写真』を短くしてください")


def test_the_edit_page_shows_the_fit_from_the_cache_and_computes_it_once(app24, f, client24, oita, printing):
    sheet = sheet24(f)
    page = Page(client24.get(f"/sheets/{sheet.id}/edit"))  # eager jobs (tests): computed now
    assert page.by_id("fit-status").get("data-state") == "ready"
    assert "1ページに収まります（9.5pt）" in page.text
    assert len(printing.calls) == 1
    client24.get(f"/sheets/{sheet.id}/edit")
    assert client24.get(f"/sheets/{sheet.id}/fit").json["message"] == "1ページに収まります（9.5pt）"
    assert len(printing.calls) == 1  # cached by content: no second search


def test_saving_unchanged_text_costs_nothing_and_a_change_is_checked_again(app24, f, client24, oita, printing):
    sheet = sheet24(f)
    client24.post(f"/sheets/{sheet.id}/autosave", data=form_fields(client24, sheet.id))  # started
    fields = form_fields(client24, sheet.id)
    assert len(printing.calls) == 1
    client24.post(f"/sheets/{sheet.id}/autosave", data=fields)
    assert len(printing.calls) == 1
    printing.answer = StubFit(7.0, False, 6, overflowing=("results_actions",), cause="text")
    fields["results_actions"] = "・とても長い文章" * 300
    client24.post(f"/sheets/{sheet.id}/autosave", data=fields)
    answer = client24.get(f"/sheets/{sheet.id}/fit").json   # the editor asks as the typing pauses
    assert len(printing.calls) == 2 and printing.calls[-1][0] == 2
    assert answer["message"] == ("1ページに収まりません：『２０２４年度の活動実績（主要な取組）と評価／○具体的取組』"
                                 "を短くしてください")
    assert answer["fits"] is False


def test_without_a_worker_the_page_says_pending_and_polls(app24, f, client24, oita, printing):
    app24.config["EDITING_FIT_JOBS"] = False
    sheet = sheet24(f)
    page = Page(client24.get(f"/sheets/{sheet.id}/edit"))
    assert page.by_id("fit-status").get("data-state") == "pending"
    assert "1ページに収まるかを確認しています" in page.text
    assert client24.get(f"/sheets/{sheet.id}/fit").json["state"] == "pending"
    assert printing.calls == []
    # the background job runs (here: called directly), and the poll gets the answer
    fit.run_job(sheet.id)
    assert client24.get(f"/sheets/{sheet.id}/fit").json == {
        **client24.get(f"/sheets/{sheet.id}/fit").json, "state": "ready", "fits": True, "size_pt": 9.5}


def test_a_job_is_queued_once_per_content(app24, f, client24, oita, printing, monkeypatch):
    queued = []
    monkeypatch.setattr(fit.jobs, "enqueue", lambda name, *args, queue: queued.append((name, queue)))
    sheet = sheet24(f)
    client24.get(f"/sheets/{sheet.id}/edit")
    client24.get(f"/sheets/{sheet.id}/fit")
    client24.get(f"/sheets/{sheet.id}/fit")
    assert queued == [("webapp.editing.fit.run_job", "fit")]


def test_a_failed_fit_does_not_stop_saving(app24, f, client24, oita, printing):
    printing.answer = RuntimeError("weasyprint exploded")
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)
    fields["challenges"] = "・保存はできる"
    answer = client24.post(f"/sheets/{sheet.id}/autosave", data=fields)
    assert answer.status_code == 200 and answer.json["version"] == 2
    status = client24.get(f"/sheets/{sheet.id}/fit").json
    assert status["state"] == "error"
    assert "確認できませんでした" in status["message"]


def test_compute_answers_now_for_submission_checks(app24, f, printing):
    status = fit.check(sheet24(f))
    assert (status.state, status.fits, status.size_pt) == ("ready", True, 9.5)


def test_printings_real_fit_search_on_sheet_2(app24, f, client24, oita, monkeypatch):
    """printing's own fit_sheet: ② as carried forward fits one page at a readable size."""
    monkeypatch.setattr(fit, "estimate_function", lambda: no_estimate)  # the search, not the model
    app24.config["EDITING_FIT_JOBS"] = True
    page = Page(client24.get(f"/sheets/{sheet24(f).id}/edit"))
    message = "".join(page.by_id("fit-status").itertext())
    match = re.fullmatch(r"1ページに収まります（(\d+(?:\.\d+)?)pt）", message.strip())
    assert match, message
    assert 7.0 <= float(match.group(1)) <= 10.5


def _cached_pdfs(app) -> list[str]:
    return [name for _, _, names in os.walk(app.config["CACHE_FOLDER"])
            for name in names if name.endswith(".pdf")]


def test_a_check_overtaken_by_a_newer_save_measures_only_and_the_preview_waits_for_the_last(
        app24, f, client24, oita):
    """While someone types, the next save outdates a PDF before anyone looks at it:
    a check with a newer one waiting only measures; the preview waits for the newer
    check (the last one prints), then opens the sheet, one page."""
    sheet = sheet24(f)
    fit.pending_marks(app24).add(sheet.id, "a-newer-save")
    fit.run_job(sheet.id)
    answer = client24.get(f"/sheets/{sheet.id}/fit").json
    assert answer["state"] == "ready" and answer["fits"] is True
    assert _cached_pdfs(app24) == []
    waiting = client24.get(f"/sheets/{sheet.id}/pdf")
    assert waiting.status_code == 202 and "PDFを作成しています…" in waiting.text
    assert client24.get(f"/sheets/{sheet.id}/pdf/progress").json["state"] == "pending"
    fit.run_job(sheet.id, "a-newer-save")  # the newer save's check: nothing newer waits
    assert client24.get(f"/sheets/{sheet.id}/pdf/progress").json["state"] == "ready"
    response = client24.get(f"/sheets/{sheet.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 1
    assert len(_cached_pdfs(app24)) == 1


def test_the_last_check_after_typing_stops_prints_the_sheet_for_the_preview(app24, f, client24, oita):
    sheet = sheet24(f)
    fit.run_job(sheet.id)
    assert len(_cached_pdfs(app24)) == 1
    response = client24.get(f"/sheets/{sheet.id}/pdf")
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 1
    assert len(_cached_pdfs(app24)) == 1


def test_a_fit_printing_already_knows_is_shown_without_a_job(app24, f, client24, oita, monkeypatch):
    """One cache of fits: the sheet PDF (same search) leaves the edit page nothing to compute;
    the layout's answer replaces the model's."""
    monkeypatch.setattr(fit, "estimate_function", lambda: no_estimate)
    app24.config["EDITING_FIT_JOBS"] = False  # no job may run: only the cache can answer
    sheet = sheet24(f)
    assert Page(client24.get(f"/sheets/{sheet.id}/edit")).by_id("fit-status").get("data-state") == "pending"
    assert client24.get(f"/sheets/{sheet.id}/pdf").status_code == 200
    answer = client24.get(f"/sheets/{sheet.id}/fit").json
    assert answer["state"] == "ready" and answer["fits"] is True
    assert answer["message"] == f"1ページに収まります（{fit.format_size(answer['size_pt'])}pt）"


# ---------------------------------------------------------------- cheaper under load (#21 item 4)

def test_an_autosave_asks_for_no_check_and_the_pause_after_it_asks_for_one(app24, f, client24, oita, printing,
                                                                           monkeypatch):
    """Autosaves come every few seconds while someone types: the editor asks once the typing pauses."""
    queued = []
    monkeypatch.setattr(fit.jobs, "enqueue", lambda name, *args, queue: queued.append(args[0]))
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)   # opening the page asks for the first check
    fit.pending_marks(app24).take(sheet.id, fit.pending_marks(app24).pending(sheet.id))
    for n in range(3):
        fields["challenges"] = f"・入力中の文章 第{n + 1}回"
        answer = client24.post(f"/sheets/{sheet.id}/autosave", data=fields).json
        fields["version"] = str(answer["version"])
        assert answer["fit"]["state"] == "pending"
    assert queued == [sheet.id]
    client24.get(f"/sheets/{sheet.id}/fit")      # the pause: sheet_edit.js polls
    client24.get(f"/sheets/{sheet.id}/fit")      # and polls again: one check pending, no second
    assert queued == [sheet.id, sheet.id]


def test_a_sheet_far_inside_the_page_is_answered_by_the_model_without_a_layout(
        app24, f, client24, oita, printing, monkeypatch):
    from webapp.printing.surefit import sure_size
    monkeypatch.setattr(fit, "estimate_function", lambda: sure_size)   # printing's own model
    queued = []
    monkeypatch.setattr(fit.jobs, "enqueue", lambda name, *args, queue: queued.append(args[0]))
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)
    fields["challenges"] = "\n".join(["・課題を解決するための取組を関係者と協力して進める。"] * 12)
    client24.post(f"/sheets/{sheet.id}/autosave", data=fields)
    answer = client24.get(f"/sheets/{sheet.id}/fit").json
    assert (answer["state"], answer["fits"], answer["version"]) == ("ready", True, 2)
    assert answer["message"] == "1ページに収まります（見込み：10.5pt）"
    assert printing.calls == [] and queued == []


def test_a_sheet_near_the_page_s_end_is_laid_out(app24, f, client24, oita, printing, monkeypatch):
    from webapp.printing.surefit import sure_size
    monkeypatch.setattr(fit, "estimate_function", lambda: sure_size)
    sheet = sheet24(f)
    fields = form_fields(client24, sheet.id)
    fields["challenges"] = "\n".join(["・課題を解決するための取組を関係者と協力して進める。"] * 40)
    client24.post(f"/sheets/{sheet.id}/autosave", data=fields)
    answer = client24.get(f"/sheets/{sheet.id}/fit").json
    assert answer["message"] == "1ページに収まります（9.5pt）"      # the stand-in's layout
    assert [call[2] for call in printing.calls] == [fields["challenges"]]


def test_a_sheet_the_model_puts_far_inside_at_the_largest_type_is_answered_at_that_size(
        app24, f, client24, oita):
    """② as carried forward (no worker: only the cache or the model can answer)."""
    app24.config["EDITING_FIT_JOBS"] = False
    page = Page(client24.get(f"/sheets/{sheet24(f).id}/edit"))
    assert page.by_id("fit-status").get("data-state") == "ready"
    assert "".join(page.by_id("fit-status").itertext()).strip() == "1ページに収まります（見込み：10.5pt）"


def test_a_model_that_fails_leaves_the_answer_to_the_layout(app24, f, client24, oita, printing, monkeypatch):
    def broken(sheet, year):
        raise ZeroDivisionError("model")
    monkeypatch.setattr(fit, "estimate_function", lambda: broken)
    answer = client24.get(f"/sheets/{sheet24(f).id}/fit").json
    assert (answer["state"], answer["message"]) == ("ready", "1ページに収まります（9.5pt）")
    assert len(printing.calls) == 1
