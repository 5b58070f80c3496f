-- Report section warnings: the data-quality tests that warned or failed in the
-- run of load :known_seq, with their sample keys. Parameters: :run_id.
select
    results.test_name,
    results.severity,
    results.status,
    results.failing_rows,
    results.sample_keys
from audit.test_results as results
where results.run_id = :run_id
    and results.status <> 'pass'
order by results.test_name
