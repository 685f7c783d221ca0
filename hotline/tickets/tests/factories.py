"""Factories for tickets and the organisation they move through."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from hotline.accounts.models import Department, Role, User
from hotline.tickets.models import Category, Ticket
from hotline.tickets.services import TicketInput, ticket_create

PASSWORD = "Hotline-test-2026"


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"单位{n}")
    code = factory.Sequence(lambda n: f"D{n:04d}")
    kind = Department.Kind.CITY_BUREAU


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):  # type: ignore[no-untyped-def]
        if create:
            instance.save()


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"分类{n}")
    code = factory.Sequence(lambda n: f"C{n:04d}")


def make_ticket(*, by: User, submit: bool = False, **fields: object) -> Ticket:
    """A ticket created through the intake service, as an agent would."""
    data = TicketInput(
        title=str(fields.pop("title", "小区路灯不亮")),
        content=str(fields.pop("content", "幸福路 12 号小区门口路灯连续三晚不亮，请维修。")),
        citizen_phone=str(fields.pop("citizen_phone", "13912345678")),
        citizen_name=str(fields.pop("citizen_name", "张三")),
        **fields,  # type: ignore[arg-type]
    )
    ticket, _ = ticket_create(data=data, by=by, submit=submit)
    return ticket
