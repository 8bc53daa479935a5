"""The benchmark harness (issue 11): a consortium-scale data generator, HTTP scenarios driven
by wrk, and the database and framework floors measured in the same run.

    python -m bench seed --tenants 330 --beneficiaries 100000 --appointments 500000
    python -m bench run --beneficiaries 100000 ...   # services, seed, serve, floors, scenarios

Separate from the test suite: only `tests/bench/` (generator correctness on a tiny scale and
the round-trip counting test) runs with it. Results go to bench/RESULTS.md; raw outputs to
bench/results/raw/ (gitignored).
"""
