"""The workbook is walked from the schema: a section added there is in the workbook and read back."""
from __future__ import annotations

from tests.editing.test_schema_variant import WITH_RISKS
from tests.workbooks.conftest import cells_of, fill, sheet24
from webapp.editing.saving import save_content
from webapp.extensions import db
from webapp.sheet_schema import using
from webapp.workbooks import export
from webapp.workbooks.reading import prepare, read_file

TITLE = "②地熱・温泉熱エネルギー産業拠点化推進プロジェクト"


def test_an_extra_section_is_exported_and_read_back(app24, oita, f):
    from openpyxl import load_workbook
    import io
    with using(WITH_RISKS):
        sheet = sheet24(f)
        data = export.workbook([sheet])
        cell = cells_of(data)[TITLE]["risks"]
        ws = load_workbook(io.BytesIO(data))[TITLE]
        assert ws.cell(ws[cell].row, 1).value == "○リスクと対応"   # its printed heading beside it
        filled = fill(data, {"risks": "・資材価格の高騰\n・代替工法を検討"})
        item = prepare(oita, read_file(filled, "f.xlsx")[0])
        assert [(c.key, c.mine) for c in item.changes] == [("risks", "・資材価格の高騰\n・代替工法を検討")]
        save_content(oita, sheet, item.base_version, item.content, item.images)
        db.session.commit()
        db.session.expire_all()
        assert sheet24(f).text("risks") == "・資材価格の高騰\n・代替工法を検討"
