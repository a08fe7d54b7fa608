"""Framework harnesses for htmlguard's request middleware (not shipped in the wheel).

Used by the end-to-end and load tests (``tests/request/test_e2e_middleware.py``) and by
``bench/middleware.py``; see README.md here.
"""
