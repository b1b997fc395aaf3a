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


def published_snapshot(directory, *, months=(), assets=(), positions=(), trades=(), cash_flows=(), transfers=()):
    """Write a published-marts snapshot (marts-1.duckdb + CURRENT) holding the given rows; tables left empty are omitted
    when their rows are None, so tests can show that missing facts give empty panels."""
    import duckdb

    directory.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(directory / "marts-1.duckdb"))
    con.execute("CREATE SCHEMA dm; CREATE SCHEMA dw")
    money = "DECIMAL(38,2)"
    con.execute(f"""CREATE TABLE dm.customer_month (key VARCHAR, period VARCHAR, period_start DATE, period_end DATE,
        trading_days INTEGER, avg_daily_assets {money}, end_assets {money}, net_inflow {money}, trade_amount {money},
        trade_count BIGINT, active_days BIGINT, commission {money}, net_commission {money}, commission_rate DECIMAL(18,6))""")
    for row in months:
        con.execute("INSERT INTO dm.customer_month VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", list(row))
    tables = {
        "fact_assets": (f"biz_date DATE, customer_no VARCHAR, cash_balance {money}, market_value {money}, total_assets {money}", assets),
        "fact_positions": (f"biz_date DATE, customer_no VARCHAR, market VARCHAR, security_code VARCHAR, quantity BIGINT, "
                           f"cost_amount {money}, close_price DECIMAL(18,4), market_value {money}", positions),
        "fact_trades": (f"trade_date DATE, serial_no VARCHAR, customer_no VARCHAR, market VARCHAR, security_code VARCHAR, side VARCHAR, "
                        f"quantity BIGINT, price DECIMAL(18,4), amount {money}, commission {money}, channel VARCHAR", trades),
        "fact_cash_flows": (f"biz_date DATE, serial_no VARCHAR, customer_no VARCHAR, flow_type VARCHAR, amount {money}, bank_code VARCHAR",
                            cash_flows),
        "fact_security_transfers": (f"biz_date DATE, serial_no VARCHAR, customer_no VARCHAR, market VARCHAR, security_code VARCHAR, "
                                    f"direction VARCHAR, quantity BIGINT, value {money}", transfers),
    }
    for name, (columns, rows) in tables.items():
        if rows is None:
            continue
        con.execute(f"CREATE TABLE dw.{name} ({columns})")
        for row in rows:
            con.execute(f"INSERT INTO dw.{name} VALUES ({', '.join('?' for _ in row)})", list(row))
    con.close()
    (directory / "CURRENT").write_text("marts-1.duckdb\n", encoding="utf-8")
