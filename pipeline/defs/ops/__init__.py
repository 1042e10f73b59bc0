"""Operations: alerts on failed runs and freshness checks on the marts."""
