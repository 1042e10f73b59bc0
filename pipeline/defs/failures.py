"""Which step failures Dagster retries: lock contention only.

A DuckDB warehouse locked by another process is transient: the step is retried (``LOCK_RETRY``).
Everything else is deterministic -- a failed dbt data test, an operator error (a path, a setting),
a bug -- and a retry would only repeat it, so it is raised as ``Failure(allow_retries=False)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from pipeline.settings import OperatorError
from pipeline.warehouse import WarehouseLocked

# The steps that write the DuckDB warehouse share this pool; dagster.yaml gives it one slot, so
# the CLI's runs, the sensor's runs and runs launched from the UI never write at once.
WAREHOUSE_POOL = "warehouse"
LOCK_RETRY = dg.RetryPolicy(max_retries=2, delay=15, backoff=dg.Backoff.EXPONENTIAL)


@contextmanager
def retry_only_lock_contention() -> Iterator[None]:
    """Raise every failure in the block as a Failure that only a locked warehouse may retry."""
    try:
        yield
    except dg.Failure:
        raise
    except WarehouseLocked as error:
        raise dg.Failure(description=str(error), allow_retries=True) from None
    except OperatorError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    except Exception as error:  # a bug: the cause (with its stack trace) stays attached
        raise dg.Failure(
            description=f"{type(error).__name__}: {error}", allow_retries=False
        ) from error
