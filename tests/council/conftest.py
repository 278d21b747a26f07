import pytest


@pytest.fixture
def audit_calls(monkeypatch):
    """The operations' audit records (a stand-in until webapp.audit is merged)."""
    from webapp.council import operations
    calls = []

    def record(actor, action, obj_type, obj_id, summary="", changes=None):
        calls.append({"actor": actor.email, "action": action, "type": obj_type, "id": obj_id,
                      "summary": summary, "changes": changes})

    monkeypatch.setattr(operations.audit, "record", record)
    return calls
