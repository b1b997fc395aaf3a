"""API for branches, teams and staff; bearer-token authentication for the other systems."""
import datetime as dt

from ninja import Router, Schema
from ninja.security import HttpBearer

from brokercrm.core.api_errors import errors
from brokercrm.org import selectors
from brokercrm.org.access import api_token_authenticate

router = Router(tags=["organisation"])


class BearerToken(HttpBearer):
    """A live token (not expired, not revoked, its user still employed) authenticates; anything else answers 401."""

    def authenticate(self, request, token: str):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class BranchOut(Schema):
    code: str
    name: str
    city: str
    opened_on: dt.date | None


class TeamOut(Schema):
    branch_code: str
    code: str
    name: str


class StaffOut(Schema):
    staff_no: str
    name: str
    category: str
    level: str | None
    branch_code: str
    team: str | None
    hire_date: dt.date
    leave_date: dt.date | None
    status: str


def _staff_out(s) -> dict:
    return {
        "staff_no": s.staff_no, "name": s.name, "category": s.category.code,
        "level": s.level.code if s.level else None, "branch_code": s.branch.code,
        "team": s.team.code if s.team else None, "hire_date": s.hire_date,
        "leave_date": s.leave_date, "status": s.status,
    }


@router.get("/branches", response={200: list[BranchOut], **errors()})
def list_branches(request):
    return list(selectors.branch_list(user=request.auth))


@router.get("/branches/{code}", response={200: BranchOut, **errors(404)})
def get_branch(request, code: str):
    return selectors.branch_get(user=request.auth, code=code)


@router.get("/teams", response={200: list[TeamOut], **errors()})
def list_teams(request):
    return [{"branch_code": t.branch.code, "code": t.code, "name": t.name} for t in selectors.team_list(user=request.auth)]


@router.get("/staff", response={200: list[StaffOut], **errors()})
def list_staff(request, q: str = "", branch: str = "", category: str = ""):
    return [_staff_out(s) for s in selectors.staff_list(user=request.auth, query=q, branch_code=branch, category_code=category)]


@router.get("/staff/{staff_no}", response={200: StaffOut, **errors(404)})
def get_staff(request, staff_no: str):
    return _staff_out(selectors.staff_get(user=request.auth, staff_no=staff_no))
