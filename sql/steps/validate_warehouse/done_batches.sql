-- ecomdw validate: how many batches are done (none: nothing to validate yet).
select count(*) as n from audit.batches where status = 'done';
