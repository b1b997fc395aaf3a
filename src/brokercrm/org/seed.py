"""The shipped staff categories and levels of source-interface.md (configuration after install)."""

CATEGORIES = [
    ("account_manager", "客户经理", "Account manager", True, [
        ("assistant", "投资助理", "Investment assistant"),
        ("manager", "客户经理", "Account manager"),
        ("senior", "高级客户经理", "Senior account manager"),
        ("principal", "资深客户经理", "Principal account manager"),
    ]),
    ("external_broker", "经纪人", "External broker", False, []),
    ("investment_adviser", "投资顾问", "Investment adviser", True, []),
    ("service_agent", "客服专员", "Service agent", True, []),
    ("team_leader", "团队长", "Team leader", True, []),
    ("branch_manager", "营业部经理", "Branch manager", True, []),
]


def seed_staff_categories(category_model, level_model) -> None:
    """Create the shipped categories and levels that are missing; never overwrite edits."""
    for order, (code, name, name_en, employee, levels) in enumerate(CATEGORIES):
        category, _ = category_model.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "is_employee": employee, "order": order})
        for level_order, (level_code, level_name, level_en) in enumerate(levels):
            level_model.objects.get_or_create(category=category, code=level_code,
                                              defaults={"name": level_name, "name_en": level_en, "order": level_order})
