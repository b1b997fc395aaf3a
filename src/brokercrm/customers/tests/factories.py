import datetime as dt

import factory

from brokercrm.customers.models import Customer, Prospect
from brokercrm.org.tests.factories import BranchFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    customer_no = factory.Sequence(lambda n: f"{10000001 + n}")
    name = factory.Sequence(lambda n: f"客户{n + 1}")
    customer_type = "individual"
    id_type = "id_card"
    id_no = factory.Sequence(lambda n: f"31010119800101{n:04d}")
    id_no_last4 = factory.LazyAttribute(lambda o: o.id_no[-4:])
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    mobile_last4 = factory.LazyAttribute(lambda o: o.mobile[-4:])
    branch = factory.SubFactory(BranchFactory)
    open_date = dt.date(2020, 1, 2)
    status = "normal"

    @factory.post_generation
    def name_pieces(obj, create, extracted, **kwargs):
        if create:
            from brokercrm.customers.services import name_grams_refresh

            name_grams_refresh(customer_ids=[obj.pk])


def relate(customer, staff, relation_type: str = "development", start=dt.date(2020, 1, 2), end=None):
    """Give a customer a relation with a staff member (through the service, so the rules hold)."""
    from brokercrm.relations.services import relation_add

    return relation_add(actor=None, customer=customer, staff=staff, relation_type=relation_type, start_date=start, end_date=end)


class ProspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prospect

    name = factory.Sequence(lambda n: f"潜客{n + 1}")
    mobile = factory.Sequence(lambda n: f"137{n:08d}")
    mobile_last4 = factory.LazyAttribute(lambda o: o.mobile[-4:])
    id_type = "id_card"
    id_no = factory.Sequence(lambda n: f"44010119900101{n:04d}")
    id_no_last4 = factory.LazyAttribute(lambda o: o.id_no[-4:])
    branch = factory.SubFactory(BranchFactory)
    status = "new"


SNAPSHOT_COLUMNS = {
    "dm.customer_month": ("key", "period", "period_start", "period_end", "trading_days", "avg_daily_assets", "end_assets", "net_inflow",
                          "trade_amount", "trade_count", "active_days", "commission", "net_commission", "commission_rate"),
    "dw.fact_assets": ("biz_date", "customer_no", "cash_balance", "market_value", "total_assets"),
    "dw.fact_positions": ("biz_date", "customer_no", "market", "security_code", "quantity", "cost_amount", "close_price", "market_value"),
    "dw.fact_trades": ("trade_date", "serial_no", "customer_no", "market", "security_code", "side", "quantity", "price", "amount",
                       "commission", "channel"),
    "dw.fact_cash_flows": ("biz_date", "serial_no", "customer_no", "flow_type", "amount", "bank_code"),
    "dw.fact_security_transfers": ("biz_date", "serial_no", "customer_no", "market", "security_code", "direction", "quantity", "value"),
}


def published_snapshot(directory, *, months=(), assets=(), positions=(), trades=(), cash_flows=(), transfers=()):
    """Publish a snapshot (the data center's full schema) holding the given rows, each a tuple in SNAPSHOT_COLUMNS order."""
    from brokercrm.datacenter.tests.snapshot import write_snapshot

    given = dict(zip(SNAPSHOT_COLUMNS, (months, assets, positions, trades, cash_flows, transfers)))
    write_snapshot(directory, {table: [dict(zip(SNAPSHOT_COLUMNS[table], row)) for row in rows] for table, rows in given.items()})
