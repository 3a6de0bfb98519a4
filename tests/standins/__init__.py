"""Stand-ins for the FreeBSD-only tools pot runs, so the tests can run on Linux.

Every tool name is a small generated wrapper that calls :func:`standins.standin.main`.
A stand-in appends its argv to ``$POT_STANDIN_LOG``, keeps the simulated host in a
JSON file under ``$POT_STANDIN_STATE`` and behaves like the FreeBSD 14 tool for the
argument forms pot uses; ``harness.Standins`` is the test-side view of all that.
"""
