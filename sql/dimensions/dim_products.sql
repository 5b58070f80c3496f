-- dim_products: SCD Type 2 upsert for the products the batch touched.
-- Grain: one row per product version, valid for [valid_from, valid_to).
-- Parameters: :batch_id, :run_id. Cost follows the batch's keys and their history.

-- 1. The keys whose timeline is recomputed: those with rows in the batch, and those of
-- what this batch brought before (a crash, or a forced re-run over files that changed
-- since): its change rows and the products its order items referenced, withdrawn here.
{{ create_temp_table(tmp_product_keys) }} as
select staged.product_id from staging.products as staged
union
select changes.product_id from history.product_changes as changes where changes.batch_id = :batch_id
union
select refs.natural_key from history.dimension_references as refs where refs.batch_id = :batch_id and refs.entity = 'product';

delete from history.product_changes where history.product_changes.batch_id = :batch_id;

delete from history.dimension_references
where history.dimension_references.batch_id = :batch_id and history.dimension_references.entity = 'product';

-- 2. Remember the batch's distinct change rows (key, updated_at, row_hash), and the
-- products its order items reference (the inferred members' reason to exist).
insert into history.product_changes (
    product_id, updated_at, sku, name, category, brand, list_price, unit_cost,
    is_deleted, row_hash, batch_id
)
select
    staged_distinct.product_id, staged_distinct.updated_at, staged_distinct.sku,
    staged_distinct.name, staged_distinct.category, staged_distinct.brand,
    staged_distinct.list_price, staged_distinct.unit_cost,
    staged_distinct.is_deleted, staged_distinct.row_hash, :batch_id
from (
    select
        staged.*,
        row_number() over (
            partition by staged.product_id, staged.updated_at, staged.row_hash
            order by staged.source_file, staged.source_row
        ) as arrival_rank
    from staging.products as staged
) as staged_distinct
where staged_distinct.arrival_rank = 1;

insert into history.dimension_references (batch_id, entity, natural_key)
select distinct cast(:batch_id as varchar(64)), 'product', staged.product_id from staging.order_items as staged;

-- 3. Their timelines, recomputed from every change row any batch brought, in event time.
{{ create_temp_table(tmp_product_versions) }} as
with changes as (
    select changes.*
    from history.product_changes as changes
    inner join tmp_product_keys as touched
        on touched.product_id = changes.product_id
),

resolved as (
    -- two different rows for one key and one updated_at: the greatest row_hash wins,
    -- whatever the arrival order
    select ranked.*
    from (
        select
            changes.*,
            row_number() over (
                partition by changes.product_id, changes.updated_at order by changes.row_hash desc
            ) as conflict_rank
        from changes
    ) as ranked
    where ranked.conflict_rank = 1
),

sequenced as (
    select
        resolved.*,
        row_number() over (partition by resolved.product_id order by resolved.updated_at) as event_seq
    from resolved
),

anchored as (
    -- a delete carries the attributes of the latest earlier row that is not a delete
    select
        sequenced.*,
        max(case when not sequenced.is_deleted or sequenced.event_seq = 1 then sequenced.event_seq end) over (
            partition by sequenced.product_id order by sequenced.event_seq
            rows between unbounded preceding and current row
        ) as anchor_seq
    from sequenced
),

effective as (
    select
        anchored.product_id,
        anchored.updated_at,
        anchored.is_deleted,
        anchor.sku,
        anchor.name,
        anchor.category,
        anchor.brand,
        anchor.list_price,
        anchor.unit_cost
    from anchored
    inner join sequenced as anchor
        on anchor.product_id = anchored.product_id
        and anchor.event_seq = anchored.anchor_seq
),

hashed as (
    select
        effective.*,
        md5(
            coalesce(cast(effective.sku as varchar), '<null>') || '|'
            || coalesce(cast(effective.name as varchar), '<null>') || '|'
            || coalesce(cast(effective.category as varchar), '<null>') || '|'
            || coalesce(cast(effective.brand as varchar), '<null>') || '|'
            || coalesce(cast(effective.list_price as varchar), '<null>') || '|'
            || coalesce(cast(effective.unit_cost as varchar), '<null>') || '|'
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
            lag(hashed.row_hash) over (partition by hashed.product_id order by hashed.updated_at) as previous_hash
        from hashed
    ) as compared
    where compared.previous_hash is null or compared.previous_hash <> compared.row_hash
),

timeline as (
    select
        versions.*,
        case
            when row_number() over (partition by versions.product_id order by versions.updated_at) = 1
                then cast('1900-01-01 00:00:00' as timestamp)
            else versions.updated_at
        end as valid_from,
        coalesce(
            lead(versions.updated_at) over (partition by versions.product_id order by versions.updated_at),
            cast('9999-12-31 00:00:00' as timestamp)
        ) as valid_to
    from versions
)

select
    {{ surrogate_key(timeline.product_id, timeline.valid_from) }} as product_sk,
    timeline.product_id,
    timeline.sku,
    timeline.name,
    timeline.category,
    timeline.brand,
    timeline.list_price,
    timeline.unit_cost,
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
    {{ surrogate_key(touched.product_id, cast('1900-01-01 00:00:00' as timestamp)) }} as product_sk,
    touched.product_id,
    null, null, null, null, null, null,
    true as is_inferred,
    false as is_deleted,
    cast('1900-01-01 00:00:00' as timestamp) as valid_from,
    cast('9999-12-31 00:00:00' as timestamp) as valid_to,
    true as is_current,
    md5('<null>|<null>|<null>|<null>|<null>|<null>|false') as row_hash
from tmp_product_keys as touched
where not exists (select 1 from history.product_changes as changes where changes.product_id = touched.product_id)
    and exists (
        select 1 from history.dimension_references as refs
        where refs.entity = 'product' and refs.natural_key = touched.product_id
    );

-- 4. Keys whose history this attempt changes, and from which instant (changed_from):
-- facts of orders placed before it keep their version and need no re-pointing, so
-- an ordinary new change re-points only the orders placed after it.
{{ create_temp_table(tmp_product_changed) }} as
select differences.product_id, min(differences.differs_from) as changed_from
from (
    -- a new version with no identical old one differs from its start
    select versions.product_id, versions.valid_from as differs_from
    from tmp_product_versions as versions
    where not exists (
        select 1 from dw.dim_products as current_rows
        where current_rows.product_sk = versions.product_sk
            and current_rows.row_hash = versions.row_hash
            and current_rows.is_inferred = versions.is_inferred
    )
    union all
    -- an old version with no identical new one differs from its start
    select current_rows.product_id, current_rows.valid_from
    from dw.dim_products as current_rows
    inner join tmp_product_keys as touched
        on touched.product_id = current_rows.product_id
    where not exists (
        select 1 from tmp_product_versions as versions
        where versions.product_sk = current_rows.product_sk
            and versions.row_hash = current_rows.row_hash
            and versions.is_inferred = current_rows.is_inferred
    )
    union all
    -- the same version, shortened or lengthened, differs from its earlier end
    select versions.product_id, case when versions.valid_to < current_rows.valid_to then versions.valid_to else current_rows.valid_to end
    from tmp_product_versions as versions
    inner join dw.dim_products as current_rows
        on current_rows.product_sk = versions.product_sk
        and current_rows.row_hash = versions.row_hash
        and current_rows.is_inferred = versions.is_inferred
    where current_rows.valid_to <> versions.valid_to
) as differences
group by differences.product_id;

-- Handed over to BuildFacts through the batch's ledger, which only grows: an attempt
-- after a crash finds the dimensions already changed (and nothing here), yet the facts
-- still need re-pointing.
insert into history.batch_changed_keys (batch_id, entity, natural_key, changed_from)
select cast(:batch_id as varchar(64)), 'product', changed.product_id, changed.changed_from
from tmp_product_changed as changed
where not exists (
    select 1 from history.batch_changed_keys as known
    where known.batch_id = :batch_id
        and known.entity = 'product'
        and known.natural_key = changed.product_id
        and known.changed_from <= changed.changed_from
);

-- 5. Versions whose surrogate key is new, kept in the batch's ledger so that an attempt
-- after a crash reports what the batch created, not what is left to create
-- (dimensions/dimension_metrics.sql records the figure).
insert into history.batch_created_versions (batch_id, entity, surrogate_key)
select cast(:batch_id as varchar(64)), 'product', versions.product_sk
from tmp_product_versions as versions
where not exists (
    select 1 from dw.dim_products as current_rows where current_rows.product_sk = versions.product_sk
)
    and not exists (
        select 1 from history.batch_created_versions as known
        where known.batch_id = :batch_id and known.entity = 'product' and known.surrogate_key = versions.product_sk
    );

-- 6. Swap: drop the versions that changed, insert the new ones.
delete from dw.dim_products
where dw.dim_products.product_id in (select changed.product_id from tmp_product_changed as changed)
    and not exists (
        select 1 from tmp_product_versions as versions
        where versions.product_sk = dw.dim_products.product_sk
            and versions.valid_to = dw.dim_products.valid_to
            and versions.row_hash = dw.dim_products.row_hash
            and versions.is_inferred = dw.dim_products.is_inferred
    );

insert into dw.dim_products (
    product_sk, product_id, sku, name, category, brand, list_price, unit_cost,
    is_inferred, is_deleted, valid_from, valid_to, is_current, row_hash, batch_id
)
select
    versions.product_sk, versions.product_id, versions.sku, versions.name,
    versions.category, versions.brand, versions.list_price, versions.unit_cost,
    versions.is_inferred, versions.is_deleted, versions.valid_from, versions.valid_to,
    versions.is_current, versions.row_hash, :batch_id
from tmp_product_versions as versions
where not exists (
    select 1 from dw.dim_products as current_rows where current_rows.product_sk = versions.product_sk
);

-- 7. Early-arriving facts: a product an order item references but never sent gets an
-- inferred version covering all time; its real rows replace it (same surrogate key).
insert into dw.dim_products (
    product_sk, product_id, sku, name, category, brand, list_price, unit_cost,
    is_inferred, is_deleted, valid_from, valid_to, is_current, row_hash, batch_id
)
select
    {{ surrogate_key(referenced.product_id, cast('1900-01-01 00:00:00' as timestamp)) }} as product_sk,
    referenced.product_id,
    null, null, null, null, null, null,
    true, false,
    cast('1900-01-01 00:00:00' as timestamp), cast('9999-12-31 00:00:00' as timestamp), true,
    md5('<null>|<null>|<null>|<null>|<null>|<null>|false'),
    :batch_id
from (select distinct staged.product_id from staging.order_items as staged) as referenced
where not exists (
    select 1 from dw.dim_products as known where known.product_id = referenced.product_id
);

-- 8. Audit warning: one key, one updated_at, several different rows.
delete from audit.warnings where batch_id = :batch_id and model = 'dim_products';

insert into audit.warnings (batch_id, run_id, kind, model, natural_key, detail, recorded_at)
select
    :batch_id, :run_id, 'conflicting_rows', 'dim_products', conflicts.product_id,
    'updated_at ' || cast(conflicts.updated_at as varchar) || ': ' || cast(conflicts.variants as varchar)
        || ' different rows; kept the greatest row_hash',
    {{ now }}
from (
    select changes.product_id, changes.updated_at, count(distinct changes.row_hash) as variants
    from history.product_changes as changes
    inner join tmp_product_keys as touched on touched.product_id = changes.product_id
    group by changes.product_id, changes.updated_at
    having count(distinct changes.row_hash) > 1
) as conflicts;
