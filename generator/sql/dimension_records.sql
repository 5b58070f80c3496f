-- dimension_records: the change records of a dimension's entities (customers,
-- products), before their attributes are chosen.
-- Grain: one row per change record the feed will deliver.
--
-- Each entity gets a first record (history older than the first day for the
-- pre-existing share, otherwise on its signup day), up to two later changes,
-- sometimes a delete after them. Some changes arrive late (in a batch after a
-- newer change of the same key), and some keys get a conflicting record (same
-- updated_at, other attributes). `version` counts the changes a record carries.
create or replace macro dimension_records(entity, n_entities, pre_existing_percent) as table
with
entities as (
    select
        numbers.n as entity_num,
        pre_existing_count(n_entities, pre_existing_percent) as n_pre_existing,
    from numbers
    where numbers.n <= n_entities
),

first_seen as (
    select
        entities.entity_num,
        case
            when entities.entity_num <= entities.n_pre_existing
                then getvariable('t0') - seconds(86400 * (1 + 364 * draw(entity || '.first_seen', entities.entity_num)))
            else getvariable('t0')
                + to_days(signup_day(entities.entity_num, n_entities, entities.n_pre_existing)::integer)
                + seconds(86400 * draw(entity || '.first_seen', entities.entity_num))
        end as first_at,
    from entities
),

plans as (
    select
        first_seen.entity_num,
        first_seen.first_at,
        pick_weighted([0, 1, 2], [0.78, 0.90], draw(entity || '.n_changes', first_seen.entity_num)) as n_changes,
        -- the entity with the smallest draw too, so that even a tiny lake has one
        draw(entity || '.delete', first_seen.entity_num) < 0.015
            or draw(entity || '.delete', first_seen.entity_num) = min(draw(entity || '.delete', first_seen.entity_num)) over ()
            as is_deleted_later,
        draw(entity || '.late', first_seen.entity_num) < 0.5 as is_change_late,
        draw(entity || '.conflict', first_seen.entity_num) < 0.015
            or draw(entity || '.conflict', first_seen.entity_num) = min(draw(entity || '.conflict', first_seen.entity_num)) over ()
            as has_conflict,
        -- later events fall at sorted fractions of the time left until the last day ends
        list_sort([
            draw(entity || '.when', first_seen.entity_num, sub := 1),
            draw(entity || '.when', first_seen.entity_num, sub := 2),
            draw(entity || '.when', first_seen.entity_num, sub := 3),
        ]) as fractions,
        greatest(first_seen.first_at, getvariable('t0')) as window_start,
        epoch(getvariable('t0') + to_days(getvariable('days')::integer) - greatest(first_seen.first_at, getvariable('t0'))) as window_seconds,
    from first_seen
),

first_records as (
    select
        plans.entity_num,
        0 as version,
        'first' as record_kind,
        false as is_deleted,
        plans.first_at as updated_at,
    from plans
),

change_records as (
    select
        plans.entity_num,
        change_numbers.k as version,
        'change' as record_kind,
        false as is_deleted,
        plans.window_start + seconds(plans.fractions[change_numbers.k] * plans.window_seconds) as updated_at,
    from plans
    inner join range(1, 3) as change_numbers (k)
        on change_numbers.k <= plans.n_changes
),

delete_records as (
    select
        plans.entity_num,
        plans.n_changes as version,
        'delete' as record_kind,
        true as is_deleted,
        plans.window_start + seconds(plans.fractions[3] * plans.window_seconds) as updated_at,
    from plans
    where plans.is_deleted_later
),

-- same key, same updated_at as the entity's last change, other attributes
conflict_records as (
    select
        last_records.entity_num,
        last_records.version,
        'conflict' as record_kind,
        false as is_deleted,
        last_records.updated_at,
    from (select * from first_records union all select * from change_records) as last_records
    inner join plans
        on plans.entity_num = last_records.entity_num
        and plans.n_changes = last_records.version
    where plans.has_conflict
),

records as (
    select * from first_records
    union all select * from change_records
    union all select * from delete_records
    union all select * from conflict_records
),

-- the day of the entity's second change: a late first change arrives after it
second_change_days as (
    select change_records.entity_num, day_of(change_records.updated_at) as day_index,
    from change_records
    where change_records.version = 2
),

delivered as (
    select
        records.*,
        case
            when records.record_kind = 'change' and records.version = 1 and plans.n_changes = 2 and plans.is_change_late
                then greatest(
                    day_of(records.updated_at),
                    least(
                        second_change_days.day_index + 1 + floor(2 * draw(entity || '.late_by', records.entity_num))::integer,
                        getvariable('days') - 1
                    )
                )
            when records.record_kind = 'conflict'
                then least(
                    day_of(records.updated_at) + floor(2 * draw(entity || '.conflict_by', records.entity_num))::integer,
                    getvariable('days') - 1
                )
            else day_of(records.updated_at)
        end as batch_index,
        hash(getvariable('seed'), entity, records.entity_num, records.version, records.record_kind) as record_key,
    from records
    inner join plans
        on plans.entity_num = records.entity_num
    left join second_change_days
        on second_change_days.entity_num = records.entity_num
)

select * from delivered;
