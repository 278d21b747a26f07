from tests.factories import login


def test_coordinator_of_oita_sees_its_four_projects_and_not_fukuoka(fy, fy_client):
    oita = fy.coordinator("大分県")
    login(fy_client, oita)
    page = fy_client.get("/").get_data(as_text=True)
    for title in ("地熱・温泉熱エネルギー産業拠点化推進プロジェクト", "ヘルスケア産業振興プロジェクト",
                  "先端技術活用推進プロジェクト", "ドローン産業振興プロジェクト"):
        assert title in page
    assert "九州水素エネルギー社会実現プロジェクト" not in page
    assert fy_client.get(f"/sheets/{fy.sheet_of(1).id}").status_code == 404
    sheet2 = fy_client.get(f"/sheets/{fy.sheet_of(2).id}")
    assert sheet2.status_code == 200
    assert "２０２３年度の活動実績（主要な取組）と評価" in sheet2.get_data(as_text=True)
