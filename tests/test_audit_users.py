"""Changes to people's accounts go through webapp.accounts and each leaves one audit row.

Stories: an admin creates a coordinator, moves them to the secretariat and later
deactivates them; a coordinator changes their password and logs out everywhere;
an admin resets a user's second factor. The trail names who did it and what
changed, and never holds a password hash.
"""
from __future__ import annotations

from sqlalchemy import select

from tests.factories import PASSWORD, login
from webapp.extensions import db
from webapp.models import AuditEvent, User

NEW_PASSWORD = "桜島の噴煙と黒豚の角煮2024"


def trail() -> list[tuple]:
    db.session.expire_all()
    return [(e.actor_id, e.action, e.object_type, e.object_id, e.changes)
            for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "user")
                                        .order_by(AuditEvent.id))]


def test_an_admins_changes_to_a_user_are_audited_with_the_changed_fields(app, factory, client):
    admin = factory.admin()
    oita = factory.organisation("大分県")
    login(client, admin)
    response = client.post("/admin/users/new", data={
        "email": "Sato@Pref.Oita.example.jp", "display_name": "佐藤", "role": "coordinator",
        "organisation_id": str(oita.id), "active": "y", "password": NEW_PASSWORD})
    assert response.status_code == 302
    sato = db.session.scalar(select(User).where(User.email == "sato@pref.oita.example.jp"))
    assert trail() == [(admin.id, "user_create", "user", sato.id, {
        "active": [None, True], "display_name": [None, "佐藤"],
        "email": [None, "sato@pref.oita.example.jp"], "organisation_id": [None, oita.id],
        "role": [None, "coordinator"]})]

    form = {"email": "sato@pref.oita.example.jp", "display_name": "佐藤 一郎", "role": "secretariat",
            "organisation_id": str(oita.id), "active": "y", "password": ""}
    assert client.post(f"/admin/users/{sato.id}", data=form).status_code == 302
    assert trail()[-1] == (admin.id, "user_update", "user", sato.id, {
        "display_name": ["佐藤", "佐藤 一郎"], "role": ["coordinator", "secretariat"]})

    token_before = db.session.get(User, sato.id).session_token
    form.pop("active")
    assert client.post(f"/admin/users/{sato.id}", data=form).status_code == 302
    assert trail()[-1] == (admin.id, "user_deactivate", "user", sato.id, {"active": [True, False]})
    assert db.session.get(User, sato.id).session_token != token_before  # sessions ended
    assert len(trail()) == 3


def test_a_refused_change_changes_nothing_and_records_nothing(app, factory, client):
    admin = factory.admin()
    other = factory.secretariat(email="other@example.jp")
    target = factory.secretariat(email="target@example.jp")
    login(client, admin)
    response = client.post(f"/admin/users/{target.id}", data={
        "email": "other@example.jp", "display_name": "重複", "role": "secretariat", "active": "y",
        "password": ""})
    assert response.status_code == 200
    assert "other@example.jp は既に登録されています。" in response.get_data(as_text=True)
    assert trail() == []
    assert db.session.get(User, target.id).display_name != "重複" and other.email == "other@example.jp"


def test_a_users_own_password_change_and_log_out_everywhere_are_audited_without_the_hash(
        app, factory, client):
    user = factory.coordinator("大分県")
    login(client, user)
    response = client.post("/account/password", data={
        "old_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert trail() == [(user.id, "user_password", "user", user.id, {})]
    assert client.post("/account/logout-all", data={}).status_code == 302
    assert trail()[-1] == (user.id, "user_sessions_end", "user", user.id, {})
    assert all("hash" not in str(changes) for *_, changes in trail())


def test_an_admin_resetting_a_second_factor_is_audited(app, factory, client):
    admin = factory.admin()
    user = factory.coordinator("大分県")
    login(client, admin)
    assert client.post(f"/admin/users/{user.id}/reset-2fa", data={}).status_code == 302
    assert trail() == [(admin.id, "user_2fa_reset", "user", user.id, {})]


def test_create_user_on_the_command_line_is_audited_as_the_system(app, factory):
    factory.organisation("福岡県")
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "tanaka@pref.fukuoka.example.jp", "--role", "coordinator",
        "--org", "福岡県", "--name", "田中", "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    (actor_id, action, kind, _, changes), = trail()
    system = db.session.scalar(select(User).where(User.system.is_(True)))
    assert (actor_id, action, kind) == (system.id, "user_create", "user")
    assert changes["email"] == [None, "tanaka@pref.fukuoka.example.jp"]
