"""Re-sanitize stored HTML in bulk: files, SQL tables, Dask DataFrames.

The shared pieces are :mod:`htmlguard.bulk.batch` (one batch of rows through the column
policies) and :mod:`htmlguard.bulk.report` (what a job did). Sources, sinks and the job
runner need the ``bulk`` extra; ``import htmlguard`` imports none of this.
"""
