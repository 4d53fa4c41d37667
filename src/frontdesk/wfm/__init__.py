"""Workforce management: queueing maths for staffing and trunk sizing.

The package is pure (stdlib ``math`` only, no clock, no randomness). See
:mod:`frontdesk.wfm.erlang` for Erlang B, Erlang C (M/M/c) and Erlang A (M/M/c+M)
and the staffing helpers built on them; ``docs/erlang.md`` explains the formulas.
"""
