"""Operations: alerts on failed runs (the marts' freshness policies are set by the dbt translator)."""
