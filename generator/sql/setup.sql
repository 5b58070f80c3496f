-- Shared macros of the sample-data generator.
--
-- Every "random" value is a hash of the seed, a tag naming what is drawn and
-- the id it is drawn for: no random(), no setseed(), so the same arguments give
-- the same lake whatever the thread count or the order rows are computed in.
-- hash() is DuckDB's own: another DuckDB version may draw other (equally
-- deterministic) values.
-- Variables set by generateLake.ts before this script runs:
--   seed, t0 (timestamp of the first batch's midnight, UTC), days,
--   n_customers, n_products, n_orders.

-- Entity numbers 1..n for every entity table. range() runs on one thread;
-- a table scan runs on all of them.
create or replace table numbers as
select number_range.n,
from range(1, greatest(getvariable('n_customers'), getvariable('n_products'), getvariable('n_orders')) + 1) as number_range (n);

-- A uniform draw in [0, 1).
create or replace macro draw(tag, id, sub := 0) as
    hash(getvariable('seed'), tag, id, sub) / 18446744073709551616.0;

-- One of `options`, uniformly.
create or replace macro pick(options, r) as
    options[1 + floor(r * len(options))::integer];

-- One of `options`, weighted: `upper_bounds` are the cumulative shares of all
-- options but the last, e.g. pick_weighted(['a', 'b', 'c'], [0.7, 0.9], r).
create or replace macro pick_weighted(options, upper_bounds, r) as
    options[1 + len(list_filter(upper_bounds, lambda bound: bound <= r))];

-- The batch (day index) whose data holds an event time; history older than the
-- first day is delivered in the first batch.
create or replace macro day_of(ts) as
    greatest(0, date_diff('day', getvariable('t0'), ts));

-- Seconds as an interval, from a (possibly fractional) count.
create or replace macro seconds(n) as
    to_seconds(floor(n)::bigint);

---------- dimension arrival: which entities exist before a given day

-- The entities delivered with the first batch (a shop's history) ...
create or replace macro pre_existing_count(n_entities, percent) as
    (n_entities * percent + 99) // 100;

-- ... the rest sign up evenly over the days, in id order, so "the entities
-- known before day d" is a prefix of the ids.
create or replace macro signup_day(entity_num, n_entities, n_pre) as
    case
        when entity_num <= n_pre then 0
        else ((entity_num - n_pre - 1) * getvariable('days')) // (n_entities - n_pre)
    end;

-- How many entities (a prefix of the ids) were delivered before day `d`.
create or replace macro known_before(n_entities, n_pre, d) as
    least(n_entities, n_pre + ((n_entities - n_pre) * d + getvariable('days') - 1) // getvariable('days'));

---------- rendering: what a real feed's strings look like

-- ISO-8601 timestamps, mostly without offset (UTC), some with Z or +02:00.
create or replace macro render_ts(ts, r) as
    case
        when ts is null then null
        when r < 0.85 then strftime(ts, '%Y-%m-%dT%H:%M:%S')
        when r < 0.95 then strftime(ts, '%Y-%m-%dT%H:%M:%SZ')
        else strftime(ts + interval 2 hour, '%Y-%m-%dT%H:%M:%S') || '+02:00'
    end;

-- An id: a prefix and the number zero-padded to `width` digits (cheaper than lpad).
create or replace macro render_id(prefix, num, width) as
    prefix || substr((num + 10 ** width)::bigint::varchar, 2);

-- Amounts with two decimals.
create or replace macro render_amount(x) as
    cast(cast(round(x, 2) as decimal(18, 2)) as varchar);

-- Booleans as true/false, some as 1/0 or in upper case.
create or replace macro render_bool(b, r) as
    case
        when b is null then null
        when r < 0.85 then case when b then 'true' else 'false' end
        when r < 0.93 then case when b then '1' else '0' end
        else case when b then 'TRUE' else 'FALSE' end
    end;

-- A code in an odd case or with stray whitespace, as hand-made shop codes come.
create or replace macro odd_case(code, r) as
    case floor(r * 100000)::bigint % 4
        when 0 then upper(code)
        when 1 then ' ' || upper(left(code, 1)) || substr(code, 2) || ' '
        when 2 then upper(left(code, 1)) || substr(code, 2)
        else ' ' || code
    end;

-- A vocabulary code as a feed sends it: mostly canonical, some known synonyms
-- (in odd case), some canonical codes in odd case.
create or replace macro render_code(domain, code, r) as
    case
        -- the common case first: CASE evaluates later branches on fewer rows
        when r >= 0.07 or code is null then code
        when r < 0.04 and len(synonyms_of(domain, code)) > 0
            then odd_case(pick(synonyms_of(domain, code), r * 25), r)
        else odd_case(code, r)
    end;

---------- values that break one rejection rule each (SPEC section 2)

set variable bad_timestamps = ['not a date', '2024-13-01T10:00:00', '31/01/2024 10:00', 'yesterday', '2024-02-30T10:00:00'];
set variable bad_booleans = ['maybe', 'unknown', '2', 'yes please'];
set variable bad_numbers = ['12,50', 'n/a', '$19.99', 'twelve', '1.2.3'];
set variable bad_integers = ['two', '1,5', '2.5', 'x1'];
