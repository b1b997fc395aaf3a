import pytest

from brokercrm.core.tests.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_office_sees_every_branch_and_the_full_menu(org_world, page):
    """A head-office manager logs in, sees the organisation menu and both branches in the org tree."""
    login(page, "ho")
    menu = page.locator("[data-testid=menu]").inner_text()
    assert "组织机构" in menu and "员工" in menu and "审计日志" not in menu

    page.click("[data-testid=menu] a:has-text('组织机构')")
    tree = page.locator("[data-testid=org-tree]").inner_text()
    assert "上海浦东新区营业部" in tree and "北京金融街营业部" in tree


def test_broker_sees_only_their_branch_and_gets_404_for_another_branch_staff(org_world, page):
    """A broker's tree holds their own branch only, and typing another branch's staff URL answers 404."""
    login(page, "broker")
    page.goto("/org/")
    tree = page.locator("[data-testid=org-tree]").inner_text()
    assert "上海浦东新区营业部" in tree and "北京金融街营业部" not in tree

    response = page.goto("/org/staff/S0005/")
    assert response.status == 404


def test_compliance_finds_a_staff_edit_in_the_audit_log(org_world, page):
    """Admin edits a name in the form; compliance then filters the audit log and sees before and after."""
    login(page, "admin")
    page.goto("/org/staff/S0004/edit/")
    page.fill("#id_name", "赵四（改）")
    page.click("button[type=submit]")
    page.wait_for_url("**/org/staff/S0004/")
    page.click("text=退出")

    login(page, "compliance")
    page.goto("/audit/?object_type=org.staff")
    table = page.locator("[data-testid=audit-table]").inner_text()
    assert "赵四" in table and "赵四（改）" in table and "admin" in table


def test_language_switch_to_english(org_world, page):
    """Choosing English in the header turns the menus into English."""
    login(page, "ho")
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("text=Organisation")
    assert "Staff" in page.locator("[data-testid=menu]").inner_text()
