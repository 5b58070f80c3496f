-- The customers feed, in two steps (the shape of every table script):
--   customer_records  one row per change record, typed;
--   gen_customers     one row per row written to a customers file: the
--                     records plus planted duplicates and invalid copies
--                     (planted_rows), each given its file part, clustered by
--                     batch, every column a string as the feed spells it.
-- Plants: moves and segment changes, late changes, conflicts, deletes,
-- duplicates, the unseen segment 'vip', segment synonyms, invalid rows, and a
-- file in the second batch with an extra column (loyalty_tier).
create or replace temp table customer_records as
with
records as (
    select * from dimension_records('customers', getvariable('n_customers'), 60)
),

-- each later change either moves the customer or changes their segment
change_counts as (
    select
        records.*,
        (records.version >= 1 and draw('customers.is_move', records.entity_num, sub := 1) < 0.6)::integer
            + (records.version >= 2 and draw('customers.is_move', records.entity_num, sub := 2) < 0.6)::integer
            as n_moves,
        -- a conflicting record draws its city and segment apart from its twin
        case when records.record_kind = 'conflict' then 100 else 0 end as conflict_offset,
    from records
),

attributes as (
    select
        change_counts.*,
        pick(
            ['Ava', 'Ben', 'Chloe', 'Daniel', 'Emma', 'Felix', 'Grace', 'Hugo', 'Isla', 'Jack',
             'Kira', 'Liam', 'Mia', 'Noah', 'Olivia', 'Paul', 'Quinn', 'Rosa', 'Sam', 'Tara'],
            draw('customers.first_name', change_counts.entity_num)
        ) as first_name,
        pick(
            ['Smith', 'Johnson', 'Garcia', 'Brown', 'Miller', 'Davis', 'Lopez', 'Wilson', 'Moore', 'Taylor',
             'Clark', 'Lewis', 'Walker', 'Young', 'King', 'Wright', 'Hill', 'Green', 'Baker', 'Nelson'],
            draw('customers.last_name', change_counts.entity_num)
        ) as last_name,
        pick(
            [{'city': 'New York', 'state': 'NY'}, {'city': 'Los Angeles', 'state': 'CA'},
             {'city': 'Chicago', 'state': 'IL'}, {'city': 'Houston', 'state': 'TX'},
             {'city': 'Phoenix', 'state': 'AZ'}, {'city': 'Philadelphia', 'state': 'PA'},
             {'city': 'San Diego', 'state': 'CA'}, {'city': 'Dallas', 'state': 'TX'},
             {'city': 'Austin', 'state': 'TX'}, {'city': 'Seattle', 'state': 'WA'},
             {'city': 'Denver', 'state': 'CO'}, {'city': 'Boston', 'state': 'MA'},
             {'city': 'Portland', 'state': 'OR'}, {'city': 'Atlanta', 'state': 'GA'},
             {'city': 'Miami', 'state': 'FL'}, {'city': 'Minneapolis', 'state': 'MN'},
             {'city': 'Nashville', 'state': 'TN'}, {'city': 'Detroit', 'state': 'MI'},
             {'city': 'Columbus', 'state': 'OH'}, {'city': 'Salt Lake City', 'state': 'UT'}],
            draw('customers.home', change_counts.entity_num, sub := change_counts.n_moves + change_counts.conflict_offset)
        ) as home,
        pick_weighted(
            ['consumer', 'small_business', 'corporate', 'vip'],
            [0.70, 0.88, 0.98],
            draw(
                'customers.segment',
                change_counts.entity_num,
                sub := change_counts.version - change_counts.n_moves + change_counts.conflict_offset
            )
        ) as segment,
    from change_counts
),

typed as (
    select
        attributes.batch_index,
        'main' as file_part,
        attributes.record_key as sort_key,
        attributes.record_key,
        cast(null as varchar) as planted,
        attributes.entity_num as customer_num,
        attributes.updated_at,
        attributes.first_name,
        attributes.last_name,
        attributes.home.city as city,
        attributes.home.state as state,
        attributes.segment,
        attributes.is_deleted,
    from attributes
)

select * from typed;

-- gen_customers: the rows as the feed writes them (every column a string).
create or replace table gen_customers as
with
planted as (
    select *
    from planted_rows(
        'customer_records',
        ['unparseable_timestamp', 'unparseable_boolean', 'missing_key', 'missing_required_value']
    )
),

-- schema drift: a third of the second batch's clean rows come in a file with an extra column
filed as (
    select
        planted.* replace (
            case
                when planted.invalid_rule is null
                    and planted.batch_index = least(1, getvariable('days') - 1)
                    and draw('customers.drift', planted.sort_key) < 0.35
                    then 'drift'
                else 'main'
            end as file_part
        ),
    from planted
),

-- clustered by batch: each file's COPY then reads only its batch's row groups
customer_rows as (
    select * from filed
    order by batch_index
)

select
    customer_rows.batch_index,
    customer_rows.file_part,
    customer_rows.sort_key,
    customer_rows.planted,
    customer_rows.invalid_rule,
    ---------- ids
    case
        when customer_rows.invalid_rule = 'missing_key' then null
        else render_id('C', customer_rows.customer_num, 7)
    end as customer_id,
    ---------- timestamps
    case customer_rows.invalid_rule
        when 'unparseable_timestamp' then pick(getvariable('bad_timestamps'), draw('customers.bad', customer_rows.sort_key))
        when 'missing_required_value' then null
        else render_ts(customer_rows.updated_at, draw('customers.updated_at_style', customer_rows.record_key))
    end as updated_at,
    ---------- attributes
    lower(customer_rows.first_name || '.' || customer_rows.last_name || '.' || customer_rows.customer_num || '@example.com') as email,
    customer_rows.first_name,
    customer_rows.last_name,
    customer_rows.city,
    customer_rows.state,
    'US' as country,
    render_code('segment', customer_rows.segment, draw('customers.segment_style', customer_rows.record_key)) as segment,
    case
        when customer_rows.invalid_rule = 'unparseable_boolean'
            then pick(getvariable('bad_booleans'), draw('customers.bad', customer_rows.sort_key))
        when not customer_rows.is_deleted and draw('customers.is_deleted_absent', customer_rows.record_key) < 0.3 then null
        else render_bool(customer_rows.is_deleted, draw('customers.is_deleted_style', customer_rows.record_key))
    end as is_deleted,
    ---------- schema drift: only the drift file carries it
    pick(['bronze', 'silver', 'gold'], draw('customers.loyalty_tier', customer_rows.customer_num)) as loyalty_tier,
from customer_rows;

drop table customer_records;
