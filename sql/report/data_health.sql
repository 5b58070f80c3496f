-- Report section data_health: every load up to load :known_seq (the newest
-- :load_limit), what it received and quarantined, its tests (a run's results
-- are final once it is done) and warnings. A load without a finished run is a
-- failed attempt. Parameters: :known_seq, :load_limit.
with loads as (
    select loads.*
    from known.loads as loads
    where loads.load_seq <= :known_seq
        and loads.load_seq > :known_seq - :load_limit
),

received as (
    select
        tables.load_seq,
        sum(tables.raw_rows) as raw_rows,
        sum(tables.quarantined_rows) as quarantined_rows
    from known.load_tables as tables
    inner join loads on loads.load_seq = tables.load_seq
    group by tables.load_seq
),

tested as (
    select
        results.run_id,
        sum(case when results.status = 'pass' then 1 else 0 end) as tests_passed,
        sum(case when results.status = 'warn' then 1 else 0 end) as tests_warned,
        sum(case when results.status = 'fail' then 1 else 0 end) as tests_failed
    from audit.test_results as results
    inner join loads on loads.run_id = results.run_id
    group by results.run_id
)

select
    loads.load_seq,
    loads.batch_id,
    loads.run_id,
    runs.finished_at as loaded_at,
    coalesce(received.raw_rows, 0) as raw_rows,
    coalesce(received.quarantined_rows, 0) as quarantined_rows,
    tested.tests_passed,
    tested.tests_warned,
    tested.tests_failed,
    loads.warnings,
    loads.versions_opened,
    loads.versions_closed,
    loads.restatements
from loads
left join audit.runs as runs
    on runs.run_id = loads.run_id
left join received
    on received.load_seq = loads.load_seq
left join tested
    on tested.run_id = loads.run_id
order by loads.load_seq
