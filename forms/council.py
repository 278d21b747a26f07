"""Field labels of the organisation and project forms (templates council/*.html).

The forms are plain HTML; their labels are written here once, so that the
audit trail names a changed field as the form does.
"""

ORGANISATION_LABELS = {"name": "組織名", "kind": "種類", "active": "有効"}

PROJECT_LABELS = {"number": "番号", "title": "プロジェクト名", "lead_label": "印刷する幹事の表記",
                  "lead": "幹事", "co": "共同幹事", "active": "実施中"}
