"""The benchmark: ``python -m pipeline bench --scale tiny|S|M|L`` (``make bench``).

Outside the runtime package (Dagster never imports it). Modules: :mod:`benchmarks.scales`,
:mod:`benchmarks.measure` (a process tree's time and memory), :mod:`benchmarks.landing`,
:mod:`benchmarks.lower_bound`, :mod:`benchmarks.stages`, :mod:`benchmarks.workspace`,
:mod:`benchmarks.run` (the whole benchmark), :mod:`benchmarks.report`; the measured child
processes run ``python -m benchmarks`` (:mod:`benchmarks.__main__`).

One benchmark run, in one process tree, on one landing zone:

1. **lower bound**: DuckDB reads every landing file into one table per entity in a single pass
   (``create table ... as select * from read_json / read_csv / read_parquet``, union by name over
   each entity's files), no cleaning, no checks;
2. **stages**: the pipeline from an empty warehouse, one stage per process (each ingest asset,
   the dbt build, the publish step, each materialized from the real ``Definitions`` for every
   day of the landing zone), for the wall time and peak memory of each;
3. **full run**: ``python -m pipeline run`` from another empty warehouse, as an operator runs it;
4. **incremental run**: the next day of the same demo spec is added to a copy of the landing
   zone (hard links plus the new day's files) and ``python -m pipeline run --first-day D+1
   --last-day D+1`` processes it on the full run's warehouse.

Every measured command runs as a child process. Wall time is the child's lifetime; memory is
the peak of the summed resident set (``VmRSS``) of the child and all its descendants (Dagster,
the dbt subprocess), sampled every 50 ms from ``/proc``, and never below the largest single
process's high-water mark (``getrusage``/``VmHWM``). The results are printed as a table with the
ratios and written as JSON to ``benchmarks/results/``.

Landing zones are generated once per scale into ``data/bench/<scale>/landing`` (git-ignored) and
reused while their marker file ``landing.json`` matches the scale's spec. A scale's spec covers
one day more than the landing zone holds: that day is the incremental run's "next day".
"""
