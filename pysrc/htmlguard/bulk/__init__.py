"""Re-sanitize stored HTML in bulk: files, SQL tables, Dask DataFrames.

::

    from htmlguard.bulk.files import run_file
    from htmlguard.bulk.sql import run_sql

    report = run_file("posts.jsonl", "clean.jsonl", {"body": hg.Policy.preset("ugc")})
    report = run_sql("postgresql+psycopg://...", "posts", {"body": ugc}, batch_size=500)
    report.changed, report.failed, report.by_tag

The shared pieces are :mod:`htmlguard.bulk.batch` (one batch of rows through the column
policies) and :mod:`htmlguard.bulk.report` (what a job did). File jobs
(:mod:`~htmlguard.bulk.files`: JSON Lines, CSV, Parquet) and SQL jobs
(:mod:`~htmlguard.bulk.sql`) write atomically and resume from a checkpoint;
:mod:`~htmlguard.bulk.cli` is ``htmlguard bulk``. Parquet, SQL and the progress bar need
the ``bulk`` extra (pyarrow, SQLAlchemy, tqdm), imported only when used; ``import
htmlguard`` imports none of this.
"""
