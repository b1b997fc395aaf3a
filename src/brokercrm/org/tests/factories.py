"""factory_boy factories for the organisation; other apps' tests build on them."""
import datetime as dt

import factory

from brokercrm.org.models import Branch, Staff, StaffCategory, StaffLevel, Team, User
from brokercrm.org.roles import Role
from brokercrm.org.seed import seed_staff_categories


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{n + 1:04d}")
    name = factory.LazyAttribute(lambda o: f"测试{o.code}营业部")
    city = "上海"
    opened_on = dt.date(2010, 1, 4)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    branch = factory.SubFactory(BranchFactory)
    code = factory.Sequence(lambda n: f"T{n + 1:02d}")
    name = factory.LazyAttribute(lambda o: o.code)


def category(code: str) -> StaffCategory:
    # Transactional (browser) tests flush the tables the data migration seeded.
    seed_staff_categories(StaffCategory, StaffLevel)
    return StaffCategory.objects.get(code=code)


def level(category_code: str, code: str) -> StaffLevel:
    return StaffLevel.objects.get(category__code=category_code, code=code)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    staff_no = factory.Sequence(lambda n: f"S{n + 1:04d}")
    name = factory.Sequence(lambda n: f"员工{n + 1}")
    category = factory.LazyFunction(lambda: category("account_manager"))
    level = factory.LazyAttribute(lambda o: level("account_manager", "manager") if o.category.code == "account_manager" else None)
    branch = factory.SubFactory(BranchFactory)
    team = None
    hire_date = dt.date(2020, 1, 2)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n + 1}")
    role = Role.BROKER
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_for(role: str, *, staff: Staff | None = None, branch: Branch | None = None, username: str | None = None) -> User:
    """A user of a role, tied to the staff member or branch the role needs."""
    kwargs = {"role": role, "staff": staff, "branch": branch or (staff.branch if staff else None)}
    if username:
        kwargs["username"] = username
    return UserFactory(**kwargs)
