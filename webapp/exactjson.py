"""JSON that keeps KPI figures exact: decimals are read and written as Decimal.

A figure such as 12345678901234.123456 has more digits than a float holds;
the report file, the stored snapshots and the export all go through here so
that it comes back out digit for digit.
"""
from __future__ import annotations

import simplejson

JSONDecodeError = simplejson.JSONDecodeError


def dumps(value, **kwargs) -> str:
    kwargs.setdefault("ensure_ascii", False)
    return simplejson.dumps(value, use_decimal=True, **kwargs)


def loads(text: str | bytes):
    return simplejson.loads(text, use_decimal=True)


def load(fh):
    return simplejson.load(fh, use_decimal=True)
