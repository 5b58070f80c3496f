-- dim_customers: SCD Type 2 upsert for the customers the batch touched.
-- Grain: one row per customer version, valid for [valid_from, valid_to).
-- Parameters: :batch_id, :run_id. Cost follows the batch's keys and their history.

-- 1. The keys whose timeline is recomputed: those with rows in the batch, and those of
-- what this batch brought before (a crash, or a forced re-run over files that changed
-- since): its change rows and the customers its orders referenced, withdrawn here.
{{ create_temp_table(tmp_customer_keys) }} as
select staged.customer_id from staging.customers as staged
union
select changes.customer_id from history.customer_changes as changes where changes.batch_id = :batch_id
union
select refs.natural_key from history.dimension_references as refs where refs.batch_id = :batch_id and refs.entity = 'customer';

delete from history.customer_changes where history.customer_changes.batch_id = :batch_id;

delete from history.dimension_references
where history.dimension_references.batch_id = :batch_id and history.dimension_references.entity = 'customer';

-- 2. Remember the batch's distinct change rows (key, updated_at, row_hash), and the
-- customers its orders reference (the inferred members' reason to exist).
insert into history.customer_changes (
    customer_id, updated_at, email, first_name, last_name, city, state, country, segment,
    is_deleted, row_hash, batch_id
)
select
    staged_distinct.customer_id, staged_distinct.updated_at, staged_distinct.email,
    staged_distinct.first_name, staged_distinct.last_name, staged_distinct.city,
    staged_distinct.state, staged_distinct.country, staged_distinct.segment,
    staged_distinct.is_deleted, staged_distinct.row_hash, :batch_id
from (
    select
        staged.*,
        row_number() over (
            partition by staged.customer_id, staged.updated_at, staged.row_hash
            order by staged.source_file, staged.source_row
        ) as arrival_rank
    from staging.customers as staged
) as staged_distinct
where staged_distinct.arrival_rank = 1;

insert into history.dimension_references (batch_id, entity, natural_key)
select distinct cast(:batch_id as varchar(64)), 'customer', staged.customer_id from staging.orders as staged;

-- 3. Their timelines, recomputed from every change row any batch brought, in event time.
{{ create_temp_table(tmp_customer_versions) }} as
with changes as (
    select changes.*
    from history.customer_changes as changes
    inner join tmp_customer_keys as touched
        on touched.customer_id = changes.customer_id
),

resolved as (
    -- two different rows for one key and one updated_at: the greatest row_hash wins,
    -- whatever the arrival order
    select ranked.*
    from (
        select
            changes.*,
            row_number() over (
                partition by changes.customer_id, changes.updated_at order by changes.row_hash desc
            ) as conflict_rank
        from changes
    ) as ranked
    where ranked.conflict_rank = 1
),

sequenced as (
    select
        resolved.*,
        row_number() over (partition by resolved.customer_id order by resolved.updated_at) as event_seq
    from resolved
),

anchored as (
    -- a delete carries the attributes of the latest earlier row that is not a delete
    select
        sequenced.*,
        max(case when not sequenced.is_deleted or sequenced.event_seq = 1 then sequenced.event_seq end) over (
            partition by sequenced.customer_id order by sequenced.event_seq
            rows between unbounded preceding and current row
        ) as anchor_seq
    from sequenced
),

effective as (
    select
        anchored.customer_id,
        anchored.updated_at,
        anchored.is_deleted,
        anchor.email,
        anchor.first_name,
        anchor.last_name,
        anchor.city,
        anchor.state,
        anchor.country,
        anchor.segment
    from anchored
    inner join sequenced as anchor
        on anchor.customer_id = anchored.customer_id
        and anchor.event_seq = anchored.anchor_seq
),

hashed as (
    select
        effective.*,
        md5(
            coalesce(cast(effective.email as varchar), '<null>') || '|'
            || coalesce(cast(effective.first_name as varchar), '<null>') || '|'
            || coalesce(cast(effective.last_name as varchar), '<null>') || '|'
            || coalesce(cast(effective.city as varchar), '<null>') || '|'
            || coalesce(cast(effective.state as varchar), '<null>') || '|'
            || coalesce(cast(effective.country as varchar), '<null>') || '|'
            || coalesce(cast(effective.segment as varchar), '<null>') || '|'
            || case when effective.is_deleted then 'true' else 'false' end
        ) as row_hash
    from effective
),

versions as (
    -- a change equal to the version before it (in event time) creates no version
    select compared.*
    from (
        select
            hashed.*,
            lag(hashed.row_hash) over (partition by hashed.customer_id order by hashed.updated_at) as previous_hash
        from hashed
    ) as compared
    where compared.previous_hash is null or compared.previous_hash <> compared.row_hash
),

timeline as (
    select
        versions.*,
        case
            when row_number() over (partition by versions.customer_id order by versions.updated_at) = 1
                then cast('1900-01-01 00:00:00' as timestamp)
            else versions.updated_at
        end as valid_from,
        coalesce(
            lead(versions.updated_at) over (partition by versions.customer_id order by versions.updated_at),
            cast('9999-12-31 00:00:00' as timestamp)
        ) as valid_to
    from versions
)

select
    {{ surrogate_key(timeline.customer_id, timeline.valid_from) }} as customer_sk,
    timeline.customer_id,
    timeline.email,
    timeline.first_name,
    timeline.last_name,
    timeline.city,
    timeline.state,
    timeline.country,
    timeline.segment,
    false as is_inferred,
    timeline.is_deleted,
    timeline.valid_from,
    timeline.valid_to,
    case when timeline.valid_to = cast('9999-12-31 00:00:00' as timestamp) then true else false end as is_current,
    timeline.row_hash
from timeline
union all
-- a touched key no batch sent a row for, but an order item or order references:
-- an inferred member (the version step 7 gives such keys)
select
    {{ surrogate_key(touched.customer_id, cast('1900-01-01 00:00:00' as timestamp)) }} as customer_sk,
    touched.customer_id,
    null, null, null, null, null, null, null,
    true as is_inferred,
    false as is_deleted,
    cast('1900-01-01 00:00:00' as timestamp) as valid_from,
    cast('9999-12-31 00:00:00' as timestamp) as valid_to,
    true as is_current,
    md5('<null>|<null>|<null>|<null>|<null>|<null>|<null>|false') as row_hash
from tmp_customer_keys as touched
where not exists (select 1 from history.customer_changes as changes where changes.customer_id = touched.customer_id)
    and exists (
        select 1 from history.dimension_references as refs
        where refs.entity = 'customer' and refs.natural_key = touched.customer_id
    );

-- 4. Keys whose history this attempt changes, and from which instant (changed_from):
-- facts of orders placed before it keep their version and need no re-pointing, so
-- an ordinary new change re-points only the orders placed after it.
{{ create_temp_table(tmp_customer_changed) }} as
select differences.customer_id, min(differences.differs_from) as changed_from
from (
    -- a new version with no identical old one differs from its start
    select versions.customer_id, versions.valid_from as differs_from
    from tmp_customer_versions as versions
    where not exists (
        select 1 from dw.dim_customers as current_rows
        where current_rows.customer_sk = versions.customer_sk
            and current_rows.row_hash = versions.row_hash
            and current_rows.is_inferred = versions.is_inferred
    )
    union all
    -- an old version with no identical new one differs from its start
    select current_rows.customer_id, current_rows.valid_from
    from dw.dim_customers as current_rows
    inner join tmp_customer_keys as touched
        on touched.customer_id = current_rows.customer_id
    where not exists (
        select 1 from tmp_customer_versions as versions
        where versions.customer_sk = current_rows.customer_sk
            and versions.row_hash = current_rows.row_hash
            and versions.is_inferred = current_rows.is_inferred
    )
    union all
    -- the same version, shortened or lengthened, differs from its earlier end
    select versions.customer_id, case when versions.valid_to < current_rows.valid_to then versions.valid_to else current_rows.valid_to end
    from tmp_customer_versions as versions
    inner join dw.dim_customers as current_rows
        on current_rows.customer_sk = versions.customer_sk
        and current_rows.row_hash = versions.row_hash
        and current_rows.is_inferred = versions.is_inferred
    where current_rows.valid_to <> versions.valid_to
) as differences
group by differences.customer_id;

-- Handed over to BuildFacts through the batch's ledger, which only grows: an attempt
-- after a crash finds the dimensions already changed (and nothing here), yet the facts
-- still need re-pointing.
insert into history.batch_changed_keys (batch_id, entity, natural_key, changed_from)
select cast(:batch_id as varchar(64)), 'customer', changed.customer_id, changed.changed_from
from tmp_customer_changed as changed
where not exists (
    select 1 from history.batch_changed_keys as known
    where known.batch_id = :batch_id
        and known.entity = 'customer'
        and known.natural_key = changed.customer_id
        and known.changed_from <= changed.changed_from
);

-- 5. Versions whose surrogate key is new, kept in the batch's ledger so that an attempt
-- after a crash reports what the batch created, not what is left to create
-- (dimensions/dimension_metrics.sql records the figure).
insert into history.batch_created_versions (batch_id, entity, surrogate_key)
select cast(:batch_id as varchar(64)), 'customer', versions.customer_sk
from tmp_customer_versions as versions
where not exists (
    select 1 from dw.dim_customers as current_rows where current_rows.customer_sk = versions.customer_sk
)
    and not exists (
        select 1 from history.batch_created_versions as known
        where known.batch_id = :batch_id and known.entity = 'customer' and known.surrogate_key = versions.customer_sk
    );

-- 6. Swap: drop the versions that changed, insert the new ones.
delete from dw.dim_customers
where dw.dim_customers.customer_id in (select changed.customer_id from tmp_customer_changed as changed)
    and not exists (
        select 1 from tmp_customer_versions as versions
        where versions.customer_sk = dw.dim_customers.customer_sk
            and versions.valid_to = dw.dim_customers.valid_to
            and versions.row_hash = dw.dim_customers.row_hash
            and versions.is_inferred = dw.dim_customers.is_inferred
    );

insert into dw.dim_customers (
    customer_sk, customer_id, email, first_name, last_name, city, state, country, segment,
    is_inferred, is_deleted, valid_from, valid_to, is_current, row_hash, batch_id
)
select
    versions.customer_sk, versions.customer_id, versions.email, versions.first_name,
    versions.last_name, versions.city, versions.state, versions.country, versions.segment,
    versions.is_inferred, versions.is_deleted, versions.valid_from, versions.valid_to,
    versions.is_current, versions.row_hash, :batch_id
from tmp_customer_versions as versions
where not exists (
    select 1 from dw.dim_customers as current_rows where current_rows.customer_sk = versions.customer_sk
);

-- 7. Early-arriving facts: a customer an order references but never sent gets an
-- inferred version covering all time; its real rows replace it (same surrogate key).
insert into dw.dim_customers (
    customer_sk, customer_id, email, first_name, last_name, city, state, country, segment,
    is_inferred, is_deleted, valid_from, valid_to, is_current, row_hash, batch_id
)
select
    {{ surrogate_key(referenced.customer_id, cast('1900-01-01 00:00:00' as timestamp)) }} as customer_sk,
    referenced.customer_id,
    null, null, null, null, null, null, null,
    true, false,
    cast('1900-01-01 00:00:00' as timestamp), cast('9999-12-31 00:00:00' as timestamp), true,
    md5('<null>|<null>|<null>|<null>|<null>|<null>|<null>|false'),
    :batch_id
from (select distinct staged.customer_id from staging.orders as staged) as referenced
where not exists (
    select 1 from dw.dim_customers as known where known.customer_id = referenced.customer_id
);

-- 8. Audit warning: one key, one updated_at, several different rows.
delete from audit.warnings where batch_id = :batch_id and model = 'dim_customers';

insert into audit.warnings (batch_id, run_id, kind, model, natural_key, detail, recorded_at)
select
    :batch_id, :run_id, 'conflicting_rows', 'dim_customers', conflicts.customer_id,
    'updated_at ' || cast(conflicts.updated_at as varchar) || ': ' || cast(conflicts.variants as varchar)
        || ' different rows; kept the greatest row_hash',
    {{ now }}
from (
    select changes.customer_id, changes.updated_at, count(distinct changes.row_hash) as variants
    from history.customer_changes as changes
    inner join tmp_customer_keys as touched on touched.customer_id = changes.customer_id
    group by changes.customer_id, changes.updated_at
    having count(distinct changes.row_hash) > 1
) as conflicts;
