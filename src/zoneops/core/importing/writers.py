"""Fast bulk writes for imports: COPY on PostgreSQL, executemany on SQLite.

Rows are tuples in the order of the given column names (attnames); values are plain Python
(str, int, Decimal, date, bool, None) or are prepared once per column by `prepare`. Must run
inside the caller's transaction. Other database vendors fall back to the ORM.
"""
import json
import threading

from django.db import connection

JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_json(value):
    return None if value is None else JSON_ENCODER.encode(value)


def _quote(name):
    return connection.ops.quote_name(name)


def reserve_ids(model, count):
    """`count` primary keys for new rows that no other writer will take."""
    if count <= 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
            sequence = cur.fetchone()[0]
            cur.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
            return [r[0] for r in cur.fetchall()]
        if connection.vendor == "sqlite":
            # The write transaction holds the database lock, so nobody else inserts meanwhile.
            # AUTOINCREMENT remembers ids of deleted rows in sqlite_sequence: never reuse them.
            cur.execute(f"SELECT MAX({_quote(pk)}) FROM {_quote(table)}")
            top = cur.fetchone()[0] or 0
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            seq = cur.fetchone()
            start = max(top, seq[0] if seq else 0) + 1
            return list(range(start, start + count))
    raise NotImplementedError(connection.vendor)


def insert_rows(model, columns, rows):
    """INSERT `rows` (tuples matching `columns`, db column names) into the model's table."""
    if not rows:
        return
    table = _quote(model._meta.db_table)
    cols = ", ".join(_quote(c) for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


class Background:
    """An insert running in a thread on the caller's database connection (same transaction)."""

    def __init__(self, target):
        self.error = None
        self.thread = threading.Thread(target=self._run, args=(target,), name="zoneops-import-insert", daemon=True)
        self.thread.start()

    def _run(self, target):
        try:
            target()
        except BaseException as e:  # re-raised in the caller's thread by wait()
            self.error = e

    def wait(self):
        self.thread.join()
        if self.error is not None:
            raise self.error


def start_insert(model, columns, rows):
    """`insert_rows` in a background thread, so that the database ingests the rows while the
    caller computes. The caller must not use the database connection until `.wait()`."""
    if not rows:
        return Background(lambda: None)
    connection.ensure_connection()
    raw = connection.connection
    table = _quote(model._meta.db_table)
    cols = ", ".join(_quote(c) for c in columns)
    if connection.vendor == "postgresql":
        def target():
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
    elif connection.vendor == "sqlite":
        # sqlite3 releases the GIL while it works; Django opens it with check_same_thread=False.
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['?'] * len(columns))})"

        def target():
            raw.executemany(sql, rows)
    else:  # pragma: no cover - other databases: no overlap
        insert_rows(model, columns, rows)
        return Background(lambda: None)
    return Background(target)


def update_rows(model, columns, rows):
    """UPDATE the model's table: each row is (values for `columns`…, pk)."""
    if not rows:
        return
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cur:
        if connection.vendor == "postgresql" and len(rows) > 200:
            # COPY into a temporary table, then one UPDATE … FROM: far faster than row by row.
            tmp = _quote(f"_zo_upd_{table}")
            cols = ", ".join(_quote(c) for c in (*columns, pk))
            # (On an error the transaction is rolled back, and the temporary table with it.)
            cur.execute(f"CREATE TEMPORARY TABLE {tmp} AS SELECT {cols} FROM {_quote(table)} WITH NO DATA")
            with cur.cursor.copy(f"COPY {tmp} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            sets = ", ".join(f"{_quote(c)} = s.{_quote(c)}" for c in columns)
            cur.execute(f"UPDATE {_quote(table)} AS t SET {sets} FROM {tmp} AS s "
                        f"WHERE t.{_quote(pk)} = s.{_quote(pk)}")
            cur.execute(f"DROP TABLE {tmp}")
        else:
            sets = ", ".join(f"{_quote(c)} = %s" for c in columns)
            cur.executemany(f"UPDATE {_quote(table)} SET {sets} WHERE {_quote(pk)} = %s", rows)


def prepare(field, value):
    """A value as the database driver expects it for `field` (used for datetimes, UUIDs, JSON)."""
    return field.get_db_prep_save(value, connection)
