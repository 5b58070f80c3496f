-- ValidateBatch / ecomdw validate: a run's recorded test results, by test name.
-- Parameters: :run_id.
select test_name, model, severity, status, failing_rows, sample_keys
from audit.test_results
where run_id = :run_id
order by test_name;
