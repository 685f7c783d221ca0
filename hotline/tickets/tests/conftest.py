"""A small city: a bureau, a district with two streets, and a user for every role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hotline.accounts.models import Department, Role, User
from hotline.tickets.tests.factories import DepartmentFactory, UserFactory


@dataclass
class City:
    centre: Department
    bureau: Department
    other_bureau: Department
    district: Department
    street: Department
    other_street: Department
    users: dict[str, User]

    def __getattr__(self, name: str) -> User:
        try:
            return self.users[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture
def city(db) -> City:
    centre = DepartmentFactory(name="市12345热线中心", code="CENTRE", kind=Department.Kind.CENTRE)
    bureau = DepartmentFactory(name="市城市管理局", code="CGJ")
    other_bureau = DepartmentFactory(name="市市场监管局", code="SJJ")
    district = DepartmentFactory(name="东城区", code="DCQ", kind=Department.Kind.COUNTY)
    street = DepartmentFactory(name="东华街道", code="DCQ-DH", kind=Department.Kind.STREET, parent=district)
    other_street = DepartmentFactory(
        name="西湖街道", code="DCQ-XH", kind=Department.Kind.STREET, parent=district
    )
    users = {
        "agent": UserFactory(username="agent", role=Role.AGENT, department=centre),
        "dispatcher": UserFactory(username="dispatcher", role=Role.DISPATCHER, department=centre),
        "reviewer": UserFactory(username="reviewer", role=Role.REVIEWER, department=centre),
        "visitor": UserFactory(username="visitor", role=Role.VISIT_AGENT, department=centre),
        "supervisor": UserFactory(username="supervisor", role=Role.SUPERVISOR, department=centre),
        "qa": UserFactory(username="qa", role=Role.QA_INSPECTOR, department=centre),
        "analyst": UserFactory(username="analyst", role=Role.ANALYST, department=centre),
        "annotator": UserFactory(username="annotator", role=Role.ANNOTATOR, department=centre),
        "hr": UserFactory(username="hr", role=Role.HR, department=centre),
        "admin": UserFactory(username="admin", role=Role.ADMIN, department=centre),
        "bureau_handler": UserFactory(username="cgj", role=Role.DEPT_HANDLER, department=bureau),
        "other_handler": UserFactory(username="sjj", role=Role.DEPT_HANDLER, department=other_bureau),
        "district_handler": UserFactory(username="dcq", role=Role.DEPT_HANDLER, department=district),
        "district_manager": UserFactory(username="dcq-mgr", role=Role.DEPT_MANAGER, department=district),
        "street_handler": UserFactory(username="dh", role=Role.DEPT_HANDLER, department=street),
        "other_street_handler": UserFactory(username="xh", role=Role.DEPT_HANDLER, department=other_street),
    }
    return City(centre, bureau, other_bureau, district, street, other_street, users)
