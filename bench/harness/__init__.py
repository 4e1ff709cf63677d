"""The harness every scenario is built on: a bench database, the portal's processes, load, timing and the report.

- ``core``: paths, quick or full mode, the processes' environment, the way out on errors and signals;
- ``database``: the throw-away PostgreSQL database (its name always contains ``bench``) and Redis;
- ``processes``: management commands, gunicorn, a Celery worker, any subprocess in a session of its own;
- ``client``: plain-http clients that log in the way people do, and concurrent flows of them;
- ``wrk``: load of one URL with wrk and its figures;
- ``measure``: percentiles, ratios, CPU time from /proc, SQL queries of a block;
- ``report``: the machine, the text table, the JSON file in ``bench/results/``.
"""
