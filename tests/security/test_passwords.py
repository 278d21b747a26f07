"""Finding 8: weak passwords were accepted, and the change-password form was not throttled."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from sqlalchemy import select

from tests.factories import PASSWORD, login
from tests.htmlpage import Page
from webapp.auth.passwords import verify_password
from webapp.extensions import db
from webapp.models import User

COMMON = "よく使われているパスワードのため使えません。"
GUESSABLE = ("推測されやすいパスワードです（同じ文字の繰り返し、連続した数字やキーボードの並び、"
             "よく使われる単語の記号への置き換えなど）。別のパスワードにしてください。")
FEW_WORDS = "よく知られた単語を4語以下つなげただけのパスワードです。単語を増やすか、辞書にない言葉を混ぜてください。"


def change(client, new, old=PASSWORD):
    return client.post("/account/password", data={"old_password": old, "new_password": new, "confirm": new})


@pytest.mark.parametrize("new, message", [
    ("aaaaaaaaaa", "パスワードは12文字以上にしてください。"),
    ("1234567890", COMMON),
    ("aaaaaaaaaaaa", GUESSABLE),
    ("123456789012", GUESSABLE),
    ("password1234", COMMON),
    ("qwertyuiop", COMMON),
    (PASSWORD, "現在のパスワードと同じパスワードは使えません。"),
    ("oita.tanto-2026-spring", "メールアドレスの「@」より前の部分を含むパスワードは使えません。"),
    ("my name is Oita Hanako!", "表示名を含むパスワードは使えません。"),
    (" " * 12, "空白だけのパスワードは使えません。"),
], ids=["ten letters", "ten digits", "one letter repeated", "digits in a row", "password1234",
        "keyboard row", "the current password", "e-mail local part", "display name", "spaces only"])
def test_a_weak_new_password_is_refused(app, factory, client, new, message):
    user = factory.coordinator("大分県", email="oita.tanto@example.jp")
    user.display_name = "Oita Hanako"
    db.session.commit()
    login(client, user)
    answer = change(client, new)
    assert answer.status_code == 200
    assert message in Page(answer).text
    db.session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)


def test_a_good_new_password_is_accepted(app, factory, client):
    user = factory.coordinator("大分県")
    login(client, user)
    assert change(client, "kabosu orchard at dusk").status_code == 302


def test_the_admin_form_refuses_twelve_spaces_and_the_users_own_name(app, factory, client):
    admin = factory.admin()
    login(client, admin)
    base = {"email": "new.person@example.jp", "display_name": "Tanaka", "role": "secretariat",
            "organisation_id": "0", "active": "y"}
    answer = client.post("/admin/users/new", data={**base, "password": " " * 12})
    assert "空白だけのパスワードは使えません。" in Page(answer).text
    answer = client.post("/admin/users/new", data={**base, "password": "tanaka is here 2026"})
    assert "表示名を含むパスワードは使えません。" in Page(answer).text
    assert db.session.scalar(select(User).where(User.email == "new.person@example.jp")) is None

    victim = factory.coordinator("大分県")
    answer = client.post(f"/admin/users/{victim.id}", data={
        "email": victim.email, "display_name": victim.display_name, "role": "coordinator",
        "organisation_id": str(victim.organisation_id), "active": "y", "password": "1234567890ab"})
    assert answer.status_code == 200 and GUESSABLE in Page(answer).text


def test_the_create_user_command_refuses_a_common_password(app):
    from webapp.models import Organisation
    db.session.add(Organisation(name="大分県", kind="prefecture"))
    db.session.commit()
    result = CliRunner().invoke(app.cli, ["create-user", "--email", "cli@example.jp", "--name", "担当",
                                          "--role", "coordinator", "--org", "大分県",
                                          "--password", "password12345"], catch_exceptions=False)
    assert result.exit_code != 0
    assert db.session.scalar(select(User).where(User.email == "cli@example.jp")) is None


def test_wrong_current_passwords_on_the_change_form_are_throttled(app, factory, client, monkeypatch):
    waits = []
    monkeypatch.setattr("webapp.auth.views.time.sleep", waits.append)
    app.config["LOGIN_DELAY_SECONDS"] = 2.0
    user = factory.coordinator("大分県")
    login(client, user)
    for n in range(app.config["LOGIN_LOCK_AFTER_ACCOUNT"]):
        answer = change(client, "kabosu orchard at dusk", old=f"guess number {n}")
        assert "現在のパスワードが正しくありません。" in Page(answer).text
    assert waits == [2.0] * (app.config["LOGIN_LOCK_AFTER_ACCOUNT"] - app.config["LOGIN_SLOW_AFTER"])
    locked = change(client, "kabosu orchard at dusk")
    assert locked.status_code == 429
    assert "パスワードの入力誤りが続いたため、しばらく変更できません。" in Page(locked).text
    db.session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)


@pytest.mark.parametrize("new, message", [
    ("ｐａｓｓｗｏｒｄ１２３４", COMMON),
    ("P@ssw0rd2024!", GUESSABLE),
    ("correcthorsebatterystaple", FEW_WORDS),
    ("Correct-Horse-Battery-Staple-2024", FEW_WORDS),
    ("s3cur1ty m0nk3y", FEW_WORDS),
], ids=["full-width password1234", "substituted common word and a year", "xkcd's four words",
        "four words with dashes and a year", "two words with substitutions"])
def test_passwords_found_accepted_in_the_issue_are_refused(app, factory, client, new, message):
    user = factory.coordinator("大分県")
    login(client, user)
    answer = change(client, new)
    assert answer.status_code == 200
    assert message in Page(answer).text
    db.session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)


def test_five_words_or_a_word_no_list_holds_are_accepted(app, factory, client):
    user = factory.coordinator("大分県")
    login(client, user)
    assert change(client, "correct horse battery staple rides").status_code == 302
    assert change(client, "Kumamoto ramen, 3 bowls; gyoza", old="correct horse battery staple rides"
                  ).status_code == 302


def test_a_password_set_in_full_width_logs_in_typed_half_width(app, factory, client):
    user = factory.coordinator("大分県")
    login(client, user)
    assert change(client, "ｋａｂｏｓｕ ｏｒｃｈａｒｄ ａｔ ｄｕｓｋ").status_code == 302
    client.post("/logout")
    login(client, user, "kabosu orchard at dusk")
    client.post("/logout")
    login(client, user, "ｋａｂｏｓｕ ｏｒｃｈａｒｄ ａｔ ｄｕｓｋ")


def test_a_full_width_password_hashed_before_normalisation_still_logs_in(app, factory, client):
    user = factory.coordinator("大分県")
    # As stored before passwords were normalised: the hash of the characters as typed.
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(
        "ｋａｂｏｓｕ　ｏｒｃｈａｒｄ")
    db.session.commit()
    login(client, user, "ｋａｂｏｓｕ　ｏｒｃｈａｒｄ")
