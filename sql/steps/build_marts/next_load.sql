-- BuildMarts: the number this load gets, the next after every load recorded.
select coalesce(max(load_seq), 0) + 1 as load_seq from known.loads;
