"""Benchmarks: not part of the test run. ``bench/bench_booking.py`` is the entry point (``make bench``)."""
