-- known.order_milestones: the affected orders' milestones (first paid, first
-- shipped, delivered) as dw.fact_order_fulfillment now holds them: what moves at
-- every step of an order's life, kept narrow. Changed versions closed, new ones
-- opened. Parameters: :load_seq.
drop table if exists tmp_known_milestones_diff;

create temp table tmp_known_milestones_diff as
with now_rows as (
    select facts.order_id, facts.first_paid_at, facts.first_shipped_at, facts.delivered_at
    from dw.fact_order_fulfillment as facts
    inner join staging.affected_orders as affected
        on affected.order_id = facts.order_id
),

known_rows as (
    select
        stored.order_id,
        stored.first_paid_at,
        stored.first_shipped_at,
        stored.delivered_at
    from known.order_milestones as stored
    inner join staging.affected_orders as affected
        on affected.order_id = stored.order_id
    where stored.known_to is null
)

-- the changed versions, computed once: closed (known as current, no longer what
-- dw holds) and opened (what dw holds, not yet known as current); joined on the
-- key and compared column by column (derived columns follow the ones compared)
select cast('closed' as varchar(8)) as side, known_rows.*
from known_rows
left join now_rows
    on now_rows.order_id = known_rows.order_id
where now_rows.order_id is null
    or not {{ same(known_rows.first_paid_at, now_rows.first_paid_at) }}
    or not {{ same(known_rows.first_shipped_at, now_rows.first_shipped_at) }}
    or not {{ same(known_rows.delivered_at, now_rows.delivered_at) }}
union all
select 'opened', now_rows.*
from now_rows
left join known_rows
    on known_rows.order_id = now_rows.order_id
where known_rows.order_id is null
    or not {{ same(now_rows.first_paid_at, known_rows.first_paid_at) }}
    or not {{ same(now_rows.first_shipped_at, known_rows.first_shipped_at) }}
    or not {{ same(now_rows.delivered_at, known_rows.delivered_at) }};

update known.order_milestones
set known_to = cast(:load_seq as bigint)
from tmp_known_milestones_diff as closed
where closed.side = 'closed'
    and known.order_milestones.order_id = closed.order_id
    and known.order_milestones.known_to is null;

insert into known.order_milestones (
    order_id, first_paid_at, first_shipped_at, delivered_at,
    known_from, known_to
)
select
    opened.order_id, opened.first_paid_at, opened.first_shipped_at, opened.delivered_at,
    cast(:load_seq as bigint), cast(null as bigint)
from tmp_known_milestones_diff as opened
where opened.side = 'opened';
