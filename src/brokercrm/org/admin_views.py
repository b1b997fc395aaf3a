"""Administration pages (系统管理): users, roles, menus, staff categories and levels. Thin: each POST calls one service,
which checks the role again; a DomainError comes back as a message naming the field."""
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brokercrm.core import navigation
from brokercrm.core.errors import DomainError
from brokercrm.core.permissions import require_role
from brokercrm.org import access, admin_services, menus_data, selectors, services
from brokercrm.org.role_grants import role_grant_sections
from brokercrm.org.models import MenuItem, RoleDefinition, StaffCategory, StaffLevel, User
from brokercrm.org.policy import UNMASKABLE_FIELDS, policy_page_allowed, role_code_of, role_policies
from brokercrm.org.roles import CONFIG_ADMINS, USER_ADMINS


def _fail(request, exc: DomainError) -> None:
    messages.error(request, f"{exc.field}: {exc.message}" if exc.field else exc.message)


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@require_http_methods(["GET", "POST"])
def user_list_page(request):
    """Users: list with role, staff, branch, state and lockout; create one."""
    require_role(request.user, USER_ADMINS)
    if request.method == "POST":
        data = request.POST
        try:
            user = services.user_create(actor=request.user, username=data.get("username", "").strip(), role=data.get("role", ""),
                                        staff_no=data.get("staff_no", "").strip() or None,
                                        branch_code=data.get("branch_code", "").strip() or None,
                                        password=data.get("password", "") or None, email=data.get("email", "").strip())
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("org:user_detail", user_id=user.pk)
    return render(request, "org/admin_users.html", {
        "users": selectors.user_admin_list(query=request.GET.get("q", "").strip()),
        "roles": role_policies().values(), "q": request.GET.get("q", "")})


@require_http_methods(["GET", "POST"])
def user_detail_page(request, user_id: int):
    """One user: role, staff, branch; deactivate, reset the password, unlock, API tokens."""
    require_role(request.user, USER_ADMINS)
    user = get_object_or_404(User.objects.select_related("staff", "branch", "role_definition"), pk=user_id)
    new_password = new_key = None
    if request.method == "POST":
        data, action = request.POST, request.POST.get("action", "")
        try:
            if action == "update":
                admin_services.user_update(actor=request.user, user=user, role=data.get("role", ""),
                                           staff_no=data.get("staff_no", "").strip(), branch_code=data.get("branch_code", "").strip(),
                                           email=data.get("email", ""))
            elif action in ("deactivate", "activate"):
                admin_services.user_active_set(actor=request.user, user=user, active=action == "activate")
            elif action == "password":
                new_password = admin_services.user_password_reset(actor=request.user, user=user, password=data.get("password", ""))
            elif action == "unlock":
                admin_services.user_unlock(actor=request.user, user=user)
            elif action == "token":
                new_key = access.api_token_create(user=user, actor=request.user, name=data.get("name", ""),
                                                  days=_int(data.get("days"), 0))
            else:
                raise DomainError(_("Unknown action."), field="action")
        except DomainError as exc:
            _fail(request, exc)
        else:
            if new_password is None and new_key is None:
                messages.success(request, _("Saved."))
                return redirect("org:user_detail", user_id=user.pk)
        user.refresh_from_db()
    now = timezone.now()
    return render(request, "org/admin_user.html", {
        "u": user, "roles": role_policies().values(), "role_code": role_code_of(user),
        "locked": selectors.user_locked(user=user), "new_password": new_password, "new_key": new_key,
        "tokens": [(t, t.status_at(now)) for t in user.api_tokens.all()]})


def role_list_page(request):
    """Roles: the six shipped ones (editable defaults) and those created here, with their scope kind and users."""
    require_role(request.user, CONFIG_ADMINS)
    counts = selectors.user_count_by_role()
    return render(request, "org/admin_roles.html", {
        "roles": [(p, counts.get(p.code, 0)) for p in role_policies().values()], "scope_kinds": RoleDefinition.ScopeKind.choices})


@require_POST
def role_create_page(request):
    require_role(request.user, CONFIG_ADMINS)
    try:
        role = admin_services.role_create_from(actor=request.user, code=request.POST.get("code", "").strip(),
                                               name=request.POST.get("name", ""), based_on=request.POST.get("based_on", ""),
                                               name_en=request.POST.get("name_en", ""))
    except DomainError as exc:
        _fail(request, exc)
        return redirect("org:roles")
    messages.success(request, _("Role %(name)s created.") % {"name": role.name})
    return redirect("org:role_edit", code=role.code)


@require_http_methods(["GET", "POST"])
def role_edit_page(request, code: str):
    """A role's permission set: pages it opens, the data it sees (scope kind), the personal data it unmasks."""
    require_role(request.user, CONFIG_ADMINS)
    policy = role_policies().get(code)
    if policy is None:
        raise Http404
    if request.method == "POST":
        data = request.POST
        try:
            with transaction.atomic():  # the role and its grants kept by other apps: all saved or none
                admin_services.role_save(actor=request.user, code=code, name=data.get("name", ""), name_en=data.get("name_en", ""),
                                         scope_kind=data.get("scope_kind", ""), pages=set(data.getlist("pages")),
                                         unmask_fields=set(data.getlist("unmask")), is_active=data.get("is_active") == "1")
                if policy.shipped and data.get("grants") == "1":
                    for section in role_grant_sections():
                        section.save(actor=request.user, role=code, grants={
                            row.key: set(data.getlist(f"grant:{section.code}:{row.key}")) for row in section.rows(code)})
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Role %(code)s saved.") % {"code": code})
            return redirect("org:role_edit", code=code)
    pages = [{"url_name": e.url_name, "label": e.label, "section": navigation.section_of(e.url_name),
              "allowed": policy_page_allowed(policy, e.url_name), "default": policy.base_role in e.roles}
             for e in navigation.entries()]
    return render(request, "org/admin_role.html", {
        "policy": policy, "pages": pages, "scope_kinds": RoleDefinition.ScopeKind.choices,
        "unmask": [(key, label, key in policy.unmask_fields) for key, label in UNMASKABLE_FIELDS.items()],
        # a role created here acts with its base role's grants (objects check the shipped role a user acts as)
        "grant_sections": [(s, s.rows(policy.base_role)) for s in role_grant_sections()]})


@require_http_methods(["GET", "POST"])
def menu_editor_page(request):
    """The menu editor (菜单编辑): a role's sections and items in order; move up/down, add, rename, remove, reset."""
    require_role(request.user, CONFIG_ADMINS)
    roles = role_policies()
    role_code = request.POST.get("role") or request.GET.get("role") or next(iter(roles))
    if role_code not in roles:
        role_code = next(iter(roles))
    if request.method == "POST":
        data, action = request.POST, request.POST.get("action", "")
        item = {"actor": request.user, "role_code": role_code, "item_id": _int(data.get("item")) or None, "target": data.get("target", "")}
        try:
            if action in ("up", "down"):
                menus_data.menu_item_move(direction=action, **item)
            elif action == "rename":
                menus_data.menu_item_rename(label=data.get("label", ""), section=data.get("section", ""), **item)
            elif action == "remove":
                menus_data.menu_item_remove(**item)
            elif action == "add":
                menus_data.menu_item_add(actor=request.user, role_code=role_code, section=data.get("section", ""),
                                         kind=data.get("kind", ""), target=data.get("target", ""), label=data.get("label", ""))
            elif action == "reset":
                menus_data.menu_reset(actor=request.user, role_code=role_code)
            else:
                raise DomainError(_("Unknown action."), field="action")
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Menu of %(role)s saved.") % {"role": roles[role_code].name})
        return redirect(f"{request.path}?role={role_code}")
    return render(request, "org/admin_menus.html", {
        "roles": roles.values(), "role_code": role_code, "sections": menus_data.menu_editor_sections(role_code=role_code),
        "kinds": MenuItem.Kind.choices, "pages": menus_data.menu_page_choices(role_code=role_code)})


@require_http_methods(["GET", "POST"])
def staff_categories_page(request):
    """Staff categories and levels (人员类别、级别): code, names, order; post salaries by level are pay rules."""
    require_role(request.user, CONFIG_ADMINS)
    if request.method == "POST":
        data, kind = request.POST, request.POST.get("kind", "")
        fields = {"code": data.get("code", ""), "name": data.get("name", ""), "name_en": data.get("name_en", ""),
                  "order": _int(data.get("order"))}
        try:
            if kind == "category":
                category = get_object_or_404(StaffCategory, pk=data["id"]) if data.get("id") else None
                admin_services.staff_category_save(actor=request.user, category=category,
                                                   is_employee=data.get("is_employee") == "1", **fields)
            elif kind == "level":
                level = get_object_or_404(StaffLevel, pk=data["id"]) if data.get("id") else None
                category = level.category if level else get_object_or_404(StaffCategory, pk=_int(data.get("category")))
                admin_services.staff_level_save(actor=request.user, category=category, level=level, **fields)
            else:
                raise DomainError(_("Unknown action."), field="kind")
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect("org:categories")
    return render(request, "org/admin_categories.html", {
        "categories": StaffCategory.objects.prefetch_related("levels"),
        "shipped": admin_services.SHIPPED_CATEGORY_CODES})
