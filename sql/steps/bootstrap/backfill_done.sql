-- Bootstrap: a backfill is done, recorded in the transaction that ran it, so a
-- bootstrap cut short runs it again rather than never. Parameters: :backfill_name.
insert into audit.backfills (backfill_name, finished_at) values (:backfill_name, {{ now }});
