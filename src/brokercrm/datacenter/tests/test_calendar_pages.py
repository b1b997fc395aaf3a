"""The trading calendar page, its import upload, and the warnings on the home page and the console."""
import datetime as dt
from unittest.mock import patch

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from brokercrm.datacenter import services
from brokercrm.datacenter.models import CalendarYear, JobRun, MarketClosure

DECEMBER_2 = timezone.make_aware(dt.datetime(2026, 12, 2, 9, 0))
NOVEMBER_1 = timezone.make_aware(dt.datetime(2026, 11, 1, 9, 0))


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(text: str, name: str = "closures-2027.csv") -> dict:
    return {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")}


def test_everyone_may_view_a_year_with_its_closures_and_source(org_world):
    """A broker sees 2027's month grids with 1 January marked closed and its reason, the source, and no import form."""
    services.closures_import(actor=None, data="date,reason\n2027-01-01,元旦\n".encode(), file_name="closures-2027.csv")
    response = _client(org_world["users"]["broker"]).get("/datacenter/calendar/?year=2027")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-closure="2027-01-01"' in html and 'title="元旦"' in html and html.count('class="table table-sm table-bordered') == 12
    assert "closures-2027.csv" in html
    assert 'enctype="multipart/form-data"' not in html


def test_a_broker_may_not_import(org_world):
    """The service refuses the role: 403, nothing stored."""
    response = _client(org_world["users"]["broker"]).post("/datacenter/calendar/", _upload("date,reason\n2027-01-01,元旦\n"))
    assert response.status_code == 403
    assert not CalendarYear.objects.exists()


def test_head_office_imports_a_year_and_a_bad_file_is_listed_and_changes_nothing(org_world):
    """A good upload stores the year and shows it; a file with a weekend is refused with its line, nothing stored."""
    client = _client(org_world["users"]["head_office"])
    bad = client.post("/datacenter/calendar/", _upload("date,reason\n2027-01-02,周六\n"))
    assert bad.status_code == 400
    assert "closures-2027.csv:2:date: 2027-01-02 is a Saturday" in bad.content.decode()
    assert not CalendarYear.objects.exists()

    good = client.post("/datacenter/calendar/", _upload("date,reason\n2027-01-01,元旦\n2027-02-08,春节\n"))
    assert (good.status_code, good["Location"]) == (302, "/datacenter/calendar/?year=2027")
    assert list(MarketClosure.objects.values_list("reason", flat=True)) == ["元旦", "春节"]


def test_the_home_page_of_admin_and_head_office_warns_from_30_days_before_the_end(org_world):
    """On 2026-12-02 admin and head office are told 2027 is missing; a broker is not; on 2026-11-01 nobody is."""
    with patch("django.utils.timezone.now", return_value=DECEMBER_2):
        for role, warned in (("admin", True), ("head_office", True), ("broker", False)):
            html = _client(org_world["users"][role]).get("/").content.decode()
            assert ('data-testid="home-notice"' in html) is warned, role
        assert "2027" in _client(org_world["users"]["admin"]).get("/").content.decode()
    with patch("django.utils.timezone.now", return_value=NOVEMBER_1):
        assert 'data-testid="home-notice"' not in _client(org_world["users"]["admin"]).get("/").content.decode()


def test_the_console_warns_and_shows_a_calendar_refusal_as_such(org_world):
    """The console carries the warning, and an ingest refused for an unknown year reads as such with a link to fix it."""
    JobRun.objects.create(job="ingest", business_date=dt.date(2027, 1, 4), status=JobRun.Status.CALENDAR,
                          error="2027-01-04::: 2027-01-04 is in 2027: the exchange closures of 2027 are not known")
    with patch("django.utils.timezone.now", return_value=DECEMBER_2):
        html = _client(org_world["users"]["admin"]).get("/datacenter/").content.decode()
    assert 'data-testid="calendar-warning"' in html
    assert "bg-warning" in html and 'href="/datacenter/calendar/"' in html
