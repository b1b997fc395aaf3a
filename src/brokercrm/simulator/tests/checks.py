"""An independent reading of a delivery: recomputes every interface invariant from the CSV files
alone with DuckDB DECIMAL arithmetic (no simulator code), returning the violations found."""
import hashlib
import json
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

COLUMNS = {
    "branches.csv": "branch_code,branch_name,city,opened_on",
    "customers.csv": "customer_no,name,customer_type,id_type,id_no,gender,birth_date,mobile,email,address,branch_code,"
                     "open_date,close_date,status,risk_level,risk_assessed_on",
    "securities.csv": "market,security_code,security_name,security_type,industry,risk_level",
    "deliveries.csv": "trade_date,serial_no,customer_no,market,security_code,side,quantity,price,amount,commission,"
                      "handling_fee,regulatory_fee,stamp_tax,transfer_fee,other_fee,settle_amount,channel",
    "cash_flows.csv": "biz_date,serial_no,customer_no,flow_type,amount,bank_code",
    "security_transfers.csv": "biz_date,serial_no,customer_no,market,security_code,direction,quantity,value",
    "positions.csv": "biz_date,customer_no,market,security_code,quantity,cost_amount,close_price,market_value",
    "assets.csv": "biz_date,customer_no,cash_balance,market_value,total_assets",
}
KEYS = {
    "branches": "d, branch_code", "customers": "d, customer_no", "securities": "d, market, security_code",
    "deliveries": "trade_date, serial_no", "cash_flows": "biz_date, serial_no", "security_transfers": "biz_date, serial_no",
    "positions": "biz_date, customer_no, market, security_code", "assets": "biz_date, customer_no",
}
MONEY = "DECIMAL(18,2)"


def day_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and len(p.name) == 10 and p.name[4] == "-")


def _manifest_problems(folder: Path) -> list[str]:
    problems = []
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("interface") != "v1" or manifest.get("business_date") != folder.name:
        problems.append(f"{folder.name}: manifest names {manifest.get('business_date')}")
    if sorted(manifest["files"]) != sorted(COLUMNS):
        problems.append(f"{folder.name}: manifest lists {sorted(manifest['files'])}")
    for name, expected in manifest["files"].items():
        data = (folder / name).read_bytes()
        lines = data.split(b"\n")
        if lines[0].decode() != COLUMNS[name] or data[-1:] != b"\n" or b"\r" in data:
            problems.append(f"{folder.name}/{name}: bad header or line ends")
        if expected["rows"] != len(lines) - 2 or expected["sha256"] != hashlib.sha256(data).hexdigest():
            problems.append(f"{folder.name}/{name}: manifest rows/sha256 disagree")
    return problems


def load(root: Path) -> duckdb.DuckDBPyConnection:
    """Every file of every day folder as a table of strings, with the folder date as column d."""
    db = duckdb.connect()
    db.execute("SET enable_progress_bar = false")
    folders = day_folders(root)
    for name, header in COLUMNS.items():
        names = header.split(",")
        options = pacsv.ConvertOptions(column_types={c: pa.string() for c in names}, strings_can_be_null=True)
        parts = []
        for folder in folders:
            part = pacsv.read_csv(folder / name, convert_options=options)
            parts.append(part.append_column("d", pa.array([date.fromisoformat(folder.name)] * part.num_rows, pa.date32())))
        db.register(f"{name}_arrow", pa.concat_tables(parts))
        db.execute(f'CREATE TABLE {name.removesuffix(".csv")} AS SELECT * FROM "{name}_arrow"')
        db.unregister(f"{name}_arrow")
    db.execute(f"CREATE TABLE staff AS SELECT * FROM read_csv('{root / 'staff.csv'}', all_varchar=true)")
    db.execute(f"""CREATE TABLE relations AS SELECT *, row_number() OVER () AS line
                   FROM read_csv('{root / 'relations.csv'}', all_varchar=true)""")
    return db


def _rows(db, sql: str) -> list:
    return db.execute(sql).fetchall()


def check_delivery(root: Path, db: duckdb.DuckDBPyConnection | None = None) -> list[str]:
    """All violations found in the delivery at root (empty when it is correct); `db` = load(root) if given."""
    root = Path(root)
    folders = day_folders(root)
    problems = [p for f in folders for p in _manifest_problems(f)]
    db = db or load(root)
    first = folders[0].name

    for table, key in KEYS.items():
        for row in _rows(db, f"SELECT {key}, count(*) FROM {table} GROUP BY ALL HAVING count(*) > 1 LIMIT 3"):
            problems.append(f"{table}: duplicate key {row}")
    for table, column in (("deliveries", "trade_date"), ("cash_flows", "biz_date"), ("security_transfers", "biz_date"),
                          ("positions", "biz_date"), ("assets", "biz_date")):
        for row in _rows(db, f"SELECT d, {column} FROM {table} WHERE CAST({column} AS DATE) <> d LIMIT 3"):
            problems.append(f"{table}: date {row[1]} in folder {row[0]}")

    # References: to rows delivered in this or an earlier folder.
    for table in ("deliveries", "cash_flows", "security_transfers", "positions", "assets"):
        for row in _rows(db, f"""SELECT t.d, t.customer_no FROM {table} t WHERE NOT EXISTS
                (SELECT 1 FROM customers c WHERE c.customer_no = t.customer_no AND c.d <= t.d) LIMIT 3"""):
            problems.append(f"{table}: unknown customer {row}")
    for table in ("deliveries", "security_transfers", "positions"):
        for row in _rows(db, f"""SELECT t.d, t.market, t.security_code FROM {table} t WHERE NOT EXISTS
                (SELECT 1 FROM securities s WHERE s.market = t.market AND s.security_code = t.security_code AND s.d <= t.d) LIMIT 3"""):
            problems.append(f"{table}: unknown security {row}")
    for row in _rows(db, """SELECT c.d, c.branch_code FROM customers c WHERE NOT EXISTS
            (SELECT 1 FROM branches b WHERE b.branch_code = c.branch_code AND b.d <= c.d) LIMIT 3"""):
        problems.append(f"customers: unknown branch {row}")

    # Invariant 2: totals and market values.
    for row in _rows(db, f"""SELECT * FROM assets WHERE CAST(total_assets AS {MONEY}) <> CAST(cash_balance AS {MONEY})
            + CAST(market_value AS {MONEY}) OR CAST(cash_balance AS {MONEY}) < 0 LIMIT 3"""):
        problems.append(f"assets: total or cash wrong {row}")
    for row in _rows(db, f"""SELECT * FROM positions WHERE CAST(quantity AS BIGINT) <= 0 OR CAST(market_value AS {MONEY})
            <> round(CAST(quantity AS BIGINT) * CAST(close_price AS DECIMAL(18,3)), 2) LIMIT 3"""):
        problems.append(f"positions: value wrong {row}")
    for row in _rows(db, f"""SELECT a.d, a.customer_no, a.market_value, p.mv FROM assets a LEFT JOIN
            (SELECT d, customer_no, sum(CAST(market_value AS {MONEY})) AS mv FROM positions GROUP BY ALL) p USING (d, customer_no)
            WHERE CAST(a.market_value AS {MONEY}) <> coalesce(p.mv, 0) LIMIT 3"""):
        problems.append(f"assets: market_value is not the sum of positions {row}")
    for row in _rows(db, """SELECT p.d, p.customer_no FROM positions p ANTI JOIN assets a USING (d, customer_no) LIMIT 3"""):
        problems.append(f"positions: customer without assets row {row}")

    # Invariant 4: fees, amounts and settlement.
    db.execute("""CREATE OR REPLACE TABLE security_type AS SELECT market, security_code, arg_max(security_type, d) AS security_type
                  FROM securities GROUP BY ALL""")
    fee = lambda rate: f"round(CAST(amount AS {MONEY}) * CAST('{rate}' AS DECIMAL(12,9)), 2)"  # noqa: E731
    for row in _rows(db, f"""SELECT t.* FROM deliveries t JOIN security_type USING (market, security_code) WHERE
            CAST(quantity AS BIGINT) <= 0 OR CAST(price AS DECIMAL(18,3)) <= 0
            OR CAST(amount AS {MONEY}) <> round(CAST(quantity AS BIGINT) * CAST(price AS DECIMAL(18,3)), 2)
            OR CAST(stamp_tax AS {MONEY}) <> CASE WHEN security_type = 'stock' AND side = 'S' THEN {fee('0.0005')} ELSE 0 END
            OR (security_type = 'stock' AND (CAST(transfer_fee AS {MONEY}) <> {fee('0.00001')}
                OR CAST(handling_fee AS {MONEY}) <> {fee('0.0000341')} OR CAST(regulatory_fee AS {MONEY}) <> {fee('0.00002')}))
            OR CAST(handling_fee AS {MONEY}) + CAST(regulatory_fee AS {MONEY}) > CAST(commission AS {MONEY})
            OR CAST(settle_amount AS {MONEY}) <> CASE WHEN side = 'B' THEN -1 ELSE 1 END * CAST(amount AS {MONEY})
               - CAST(commission AS {MONEY}) - CAST(stamp_tax AS {MONEY}) - CAST(transfer_fee AS {MONEY}) - CAST(other_fee AS {MONEY})
            LIMIT 3"""):
        problems.append(f"deliveries: fee or amount wrong {row}")

    # Invariant 3: cash continuity from the second day on; a new account starts from 0.
    db.execute(f"""CREATE OR REPLACE TABLE days AS SELECT d, lag(d) OVER (ORDER BY d) AS prev FROM (SELECT DISTINCT d FROM assets)""")
    for row in _rows(db, f"""SELECT a.d, a.customer_no, a.cash_balance, coalesce(CAST(p.cash_balance AS {MONEY}), 0)
              + coalesce(f.amount, 0) + coalesce(t.settle, 0) AS expected
            FROM assets a JOIN days ON days.d = a.d
            LEFT JOIN assets p ON p.d = days.prev AND p.customer_no = a.customer_no
            LEFT JOIN (SELECT d, customer_no, sum(CAST(amount AS {MONEY})) AS amount FROM cash_flows GROUP BY ALL) f
              ON f.d = a.d AND f.customer_no = a.customer_no
            LEFT JOIN (SELECT d, customer_no, sum(CAST(settle_amount AS {MONEY})) AS settle FROM deliveries GROUP BY ALL) t
              ON t.d = a.d AND t.customer_no = a.customer_no
            WHERE a.d > DATE '{first}' AND CAST(a.cash_balance AS {MONEY}) <> expected LIMIT 3"""):
        problems.append(f"cash continuity broken {row}")
    for row in _rows(db, f"""SELECT d, customer_no FROM cash_flows UNION SELECT d, customer_no FROM deliveries
            EXCEPT SELECT d, customer_no FROM assets LIMIT 3"""):
        problems.append(f"money moved for a customer without an assets row {row}")

    # Invariant 5: position continuity.
    for row in _rows(db, f"""WITH moves AS (
              SELECT d, customer_no, market, security_code,
                     CASE WHEN side = 'B' THEN 1 ELSE -1 END * CAST(quantity AS BIGINT) AS q FROM deliveries
              UNION ALL SELECT d, customer_no, market, security_code,
                     CASE WHEN direction = 'in' THEN 1 ELSE -1 END * CAST(quantity AS BIGINT) FROM security_transfers),
            net AS (SELECT d, customer_no, market, security_code, sum(q) AS q FROM moves GROUP BY ALL),
            held AS (SELECT d, customer_no, market, security_code, CAST(quantity AS BIGINT) AS q FROM positions),
            keys AS (SELECT days.d, customer_no, market, security_code FROM held JOIN days ON held.d = days.prev
                     UNION SELECT d, customer_no, market, security_code FROM net UNION SELECT d, customer_no, market, security_code FROM held)
            SELECT k.*, coalesce(p.q, 0), coalesce(n.q, 0), coalesce(h.q, 0) FROM keys k JOIN days USING (d)
            LEFT JOIN held p ON p.d = days.prev AND (p.customer_no, p.market, p.security_code) = (k.customer_no, k.market, k.security_code)
            LEFT JOIN net n ON (n.d, n.customer_no, n.market, n.security_code) = (k.d, k.customer_no, k.market, k.security_code)
            LEFT JOIN held h ON (h.d, h.customer_no, h.market, h.security_code) = (k.d, k.customer_no, k.market, k.security_code)
            WHERE k.d > DATE '{first}' AND coalesce(p.q, 0) + coalesce(n.q, 0) <> coalesce(h.q, 0) LIMIT 3"""):
        problems.append(f"position continuity broken {row}")

    # Accounts: an assets row exactly for every open account; emptied on close; open_date of new accounts.
    db.execute("""CREATE OR REPLACE TABLE versions AS SELECT c.*, (SELECT min(d) FROM customers f WHERE f.customer_no = c.customer_no) AS first_d
                  FROM customers c""")
    for row in _rows(db, """WITH state AS (
              SELECT days.d, v.customer_no, arg_max(v.open_date, v.d) AS open_date, arg_max(v.close_date, v.d) AS close_date
              FROM days JOIN versions v ON v.d <= days.d GROUP BY ALL),
            expected AS (SELECT d, customer_no FROM state WHERE CAST(open_date AS DATE) <= d
                         AND (close_date IS NULL OR d <= CAST(close_date AS DATE)))
            (SELECT 'missing', * FROM expected EXCEPT SELECT 'missing', d, customer_no FROM assets)
            UNION ALL (SELECT 'extra', d, customer_no FROM assets EXCEPT SELECT 'extra', * FROM expected) LIMIT 3"""):
        problems.append(f"assets row {row[0]} for {row[1:]}")
    for row in _rows(db, f"""SELECT a.* FROM assets a JOIN customers c ON c.customer_no = a.customer_no
            AND CAST(c.close_date AS DATE) = a.d WHERE CAST(a.total_assets AS {MONEY}) <> 0 LIMIT 3"""):
        problems.append(f"account not emptied on its close_date {row}")
    for row in _rows(db, f"""SELECT customer_no, open_date, first_d FROM versions WHERE d = first_d AND first_d > DATE '{first}'
            AND CAST(open_date AS DATE) <> first_d LIMIT 3"""):
        problems.append(f"new account's open_date is not its first folder {row}")
    for row in _rows(db, f"""SELECT a.d, a.customer_no FROM assets a JOIN versions v ON v.customer_no = a.customer_no
            AND v.d = v.first_d WHERE v.first_d > DATE '{first}' AND a.d = v.first_d AND EXISTS
            (SELECT 1 FROM assets p WHERE p.customer_no = a.customer_no AND p.d < a.d) LIMIT 3"""):
        problems.append(f"new account with earlier assets {row}")
    problems += check_crm_files(root, db)
    return problems


def check_crm_files(root: Path, db: duckdb.DuckDBPyConnection) -> list[str]:
    problems = []
    staff_text = (root / "staff.csv").read_text(encoding="utf-8")
    relations_text = (root / "relations.csv").read_text(encoding="utf-8")
    if staff_text.split("\n")[0] != "staff_no,name,category,level,branch_code,team,hire_date,leave_date":
        problems.append("staff.csv: bad header")
    if relations_text.split("\n")[0] != "customer_no,staff_no,relation_type,start_date,end_date":
        problems.append("relations.csv: bad header")
    checks = {
        "staff key": "SELECT staff_no FROM staff GROUP BY ALL HAVING count(*) > 1",
        "staff branch": "SELECT staff_no FROM staff WHERE branch_code NOT IN (SELECT branch_code FROM branches)",
        "staff enums": """SELECT staff_no FROM staff WHERE category NOT IN ('account_manager', 'external_broker',
            'investment_adviser', 'service_agent', 'team_leader', 'branch_manager')
            OR (level IS NOT NULL AND level NOT IN ('assistant', 'manager', 'senior', 'principal'))
            OR (leave_date IS NOT NULL AND CAST(leave_date AS DATE) <= CAST(hire_date AS DATE))""",
        "relation references": """SELECT line FROM relations WHERE customer_no NOT IN (SELECT customer_no FROM customers)
            OR staff_no NOT IN (SELECT staff_no FROM staff)""",
        "relation key": "SELECT customer_no FROM relations GROUP BY customer_no, relation_type, staff_no, start_date HAVING count(*) > 1",
        "relation dates": """SELECT r.line FROM relations r JOIN (SELECT customer_no, min(CAST(open_date AS DATE)) AS o
            FROM customers GROUP BY ALL) c USING (customer_no) WHERE CAST(r.start_date AS DATE) < c.o
            OR CAST(r.start_date AS DATE) >= coalesce(CAST(r.end_date AS DATE), DATE '9999-12-31')
            OR relation_type NOT IN ('development', 'service')""",
        "development overlap": """SELECT a.line FROM relations a JOIN relations b ON a.customer_no = b.customer_no
            AND a.relation_type = 'development' AND b.relation_type = 'development' AND a.line < b.line
            AND CAST(a.start_date AS DATE) < coalesce(CAST(b.end_date AS DATE), DATE '9999-12-31')
            AND CAST(b.start_date AS DATE) < coalesce(CAST(a.end_date AS DATE), DATE '9999-12-31')""",
        "relations order": """SELECT line FROM (SELECT line, row_number() OVER (ORDER BY customer_no, relation_type,
            start_date, staff_no) AS sorted FROM relations) WHERE line <> sorted""",
    }
    for name, sql in checks.items():
        for row in _rows(db, sql + " LIMIT 3"):
            problems.append(f"{name}: {row}")
    return problems
