-- {{ $dimension }}: SCD Type 2 upsert for the {{ $table }} the batch touched.
-- Grain: one row per {{ $entity }} version, valid for [valid_from, valid_to).
-- Written once for every SCD2 dimension (sql/dimensions/_scd2_dimension.sql), filled
-- in from the contract's {{ $table }} table: its key, its attributes (every column but
-- the key, updated_at and is_deleted) and the table that references it ({{ $referenced_by }}).
-- Parameters: :batch_id, :run_id. Cost follows the batch's keys and their history.

-- 1. The keys whose timeline is recomputed: those with rows in the batch, and those of
-- what this batch brought before (a crash, or a forced re-run over files that changed
-- since): its change rows and the {{ $table }} its {{ $referenced_by }} referenced, withdrawn here.
{{ create_temp_table(tmp_{{ $entity }}_keys) }} as
select staged.{{ $key }} from staging.{{ $table }} as staged
union
select changes.{{ $key }} from history.{{ $entity }}_changes as changes where changes.batch_id = :batch_id
union
select refs.natural_key from history.dimension_references as refs where refs.batch_id = :batch_id and refs.entity = '{{ $entity }}';

delete from history.{{ $entity }}_changes where history.{{ $entity }}_changes.batch_id = :batch_id;

delete from history.dimension_references
where history.dimension_references.batch_id = :batch_id and history.dimension_references.entity = '{{ $entity }}';

-- 2. Remember the batch's distinct change rows (key, updated_at, row_hash), and the
-- {{ $table }} its {{ $referenced_by }} reference (the inferred members' reason to exist).
insert into history.{{ $entity }}_changes (
    {{ $key }}, updated_at, {{ $attributes() }},
    is_deleted, row_hash, batch_id
)
select
    staged_distinct.{{ $key }}, staged_distinct.updated_at, {{ $attributes(staged_distinct) }},
    staged_distinct.is_deleted, staged_distinct.row_hash, :batch_id
from (
    select
        staged.*,
        row_number() over (
            partition by staged.{{ $key }}, staged.updated_at, staged.row_hash
            order by staged.source_file, staged.source_row
        ) as arrival_rank
    from staging.{{ $table }} as staged
) as staged_distinct
where staged_distinct.arrival_rank = 1;

insert into history.dimension_references (batch_id, entity, natural_key)
select distinct cast(:batch_id as varchar(64)), '{{ $entity }}', staged.{{ $key }} from staging.{{ $referenced_by }} as staged;

-- 3. Their timelines, recomputed from every change row any batch brought, in event time.
{{ create_temp_table(tmp_{{ $entity }}_versions) }} as
with changes as (
    select changes.*
    from history.{{ $entity }}_changes as changes
    inner join tmp_{{ $entity }}_keys as touched
        on touched.{{ $key }} = changes.{{ $key }}
),

resolved as (
    -- two different rows for one key and one updated_at: the greatest row_hash wins,
    -- whatever the arrival order
    select ranked.*
    from (
        select
            changes.*,
            row_number() over (
                partition by changes.{{ $key }}, changes.updated_at order by changes.row_hash desc
            ) as conflict_rank
        from changes
    ) as ranked
    where ranked.conflict_rank = 1
),

sequenced as (
    select
        resolved.*,
        row_number() over (partition by resolved.{{ $key }} order by resolved.updated_at) as event_seq
    from resolved
),

anchored as (
    -- a delete carries the attributes of the latest earlier row that is not a delete
    select
        sequenced.*,
        max(case when not sequenced.is_deleted or sequenced.event_seq = 1 then sequenced.event_seq end) over (
            partition by sequenced.{{ $key }} order by sequenced.event_seq
            rows between unbounded preceding and current row
        ) as anchor_seq
    from sequenced
),

effective as (
    select
        anchored.{{ $key }},
        anchored.updated_at,
        anchored.is_deleted,
        {{ $attributes(anchor) }}
    from anchored
    inner join sequenced as anchor
        on anchor.{{ $key }} = anchored.{{ $key }}
        and anchor.event_seq = anchored.anchor_seq
),

hashed as (
    select
        effective.*,
        {{ $row_hash(effective) }} as row_hash
    from effective
),

versions as (
    -- a change equal to the version before it (in event time) creates no version
    select compared.*
    from (
        select
            hashed.*,
            lag(hashed.row_hash) over (partition by hashed.{{ $key }} order by hashed.updated_at) as previous_hash
        from hashed
    ) as compared
    where compared.previous_hash is null or compared.previous_hash <> compared.row_hash
),

timeline as (
    select
        versions.*,
        case
            when row_number() over (partition by versions.{{ $key }} order by versions.updated_at) = 1
                then {{ low_sentinel }}
            else versions.updated_at
        end as valid_from,
        coalesce(
            lead(versions.updated_at) over (partition by versions.{{ $key }} order by versions.updated_at),
            {{ high_sentinel }}
        ) as valid_to
    from versions
)

select
    {{ surrogate_key(timeline.{{ $key }}, timeline.valid_from) }} as {{ $sk }},
    timeline.{{ $key }},
    {{ $attributes(timeline) }},
    false as is_inferred,
    timeline.is_deleted,
    timeline.valid_from,
    timeline.valid_to,
    case when timeline.valid_to = {{ high_sentinel }} then true else false end as is_current,
    timeline.row_hash
from timeline
union all
-- a touched key no batch sent a row for, but a row of {{ $referenced_by }} references:
-- an inferred member (the version step 7 gives such keys)
select
    {{ surrogate_key(touched.{{ $key }}, {{ low_sentinel }}) }} as {{ $sk }},
    touched.{{ $key }},
    {{ $attribute_nulls }},
    true as is_inferred,
    false as is_deleted,
    {{ low_sentinel }} as valid_from,
    {{ high_sentinel }} as valid_to,
    true as is_current,
    {{ $inferred_row_hash }} as row_hash
from tmp_{{ $entity }}_keys as touched
where not exists (select 1 from history.{{ $entity }}_changes as changes where changes.{{ $key }} = touched.{{ $key }})
    and exists (
        select 1 from history.dimension_references as refs
        where refs.entity = '{{ $entity }}' and refs.natural_key = touched.{{ $key }}
    );

-- 4. Keys whose history this attempt changes, and from which instant (changed_from):
-- facts of orders placed before it keep their version and need no re-pointing, so
-- an ordinary new change re-points only the orders placed after it.
{{ create_temp_table(tmp_{{ $entity }}_changed) }} as
select differences.{{ $key }}, min(differences.differs_from) as changed_from
from (
    -- a new version with no identical old one differs from its start
    select versions.{{ $key }}, versions.valid_from as differs_from
    from tmp_{{ $entity }}_versions as versions
    where not exists (
        select 1 from dw.{{ $dimension }} as current_rows
        where current_rows.{{ $sk }} = versions.{{ $sk }}
            and current_rows.row_hash = versions.row_hash
            and current_rows.is_inferred = versions.is_inferred
    )
    union all
    -- an old version with no identical new one differs from its start
    select current_rows.{{ $key }}, current_rows.valid_from
    from dw.{{ $dimension }} as current_rows
    inner join tmp_{{ $entity }}_keys as touched
        on touched.{{ $key }} = current_rows.{{ $key }}
    where not exists (
        select 1 from tmp_{{ $entity }}_versions as versions
        where versions.{{ $sk }} = current_rows.{{ $sk }}
            and versions.row_hash = current_rows.row_hash
            and versions.is_inferred = current_rows.is_inferred
    )
    union all
    -- the same version, shortened or lengthened, differs from its earlier end
    select versions.{{ $key }}, case when versions.valid_to < current_rows.valid_to then versions.valid_to else current_rows.valid_to end
    from tmp_{{ $entity }}_versions as versions
    inner join dw.{{ $dimension }} as current_rows
        on current_rows.{{ $sk }} = versions.{{ $sk }}
        and current_rows.row_hash = versions.row_hash
        and current_rows.is_inferred = versions.is_inferred
    where current_rows.valid_to <> versions.valid_to
) as differences
group by differences.{{ $key }};

-- Handed over to BuildFacts through the batch's ledger, which only grows: an attempt
-- after a crash finds the dimensions already changed (and nothing here), yet the facts
-- still need re-pointing.
insert into history.batch_changed_keys (batch_id, entity, natural_key, changed_from)
select cast(:batch_id as varchar(64)), '{{ $entity }}', changed.{{ $key }}, changed.changed_from
from tmp_{{ $entity }}_changed as changed
where not exists (
    select 1 from history.batch_changed_keys as known
    where known.batch_id = :batch_id
        and known.entity = '{{ $entity }}'
        and known.natural_key = changed.{{ $key }}
        and known.changed_from <= changed.changed_from
);

-- 5. Versions whose surrogate key is new, kept in the batch's ledger so that an attempt
-- after a crash reports what the batch created, not what is left to create
-- (dimensions/dimension_metrics.sql records the figure).
insert into history.batch_created_versions (batch_id, entity, surrogate_key)
select cast(:batch_id as varchar(64)), '{{ $entity }}', versions.{{ $sk }}
from tmp_{{ $entity }}_versions as versions
where not exists (
    select 1 from dw.{{ $dimension }} as current_rows where current_rows.{{ $sk }} = versions.{{ $sk }}
)
    and not exists (
        select 1 from history.batch_created_versions as known
        where known.batch_id = :batch_id and known.entity = '{{ $entity }}' and known.surrogate_key = versions.{{ $sk }}
    );

-- 6. Swap: drop the versions that changed, insert the new ones.
delete from dw.{{ $dimension }}
where dw.{{ $dimension }}.{{ $key }} in (select changed.{{ $key }} from tmp_{{ $entity }}_changed as changed)
    and not exists (
        select 1 from tmp_{{ $entity }}_versions as versions
        where versions.{{ $sk }} = dw.{{ $dimension }}.{{ $sk }}
            and versions.valid_to = dw.{{ $dimension }}.valid_to
            and versions.row_hash = dw.{{ $dimension }}.row_hash
            and versions.is_inferred = dw.{{ $dimension }}.is_inferred
    );

insert into dw.{{ $dimension }} (
    {{ $sk }}, {{ $key }}, {{ $attributes() }},
    is_inferred, is_deleted, valid_from, valid_to, is_current, row_hash, batch_id
)
select
    versions.{{ $sk }}, versions.{{ $key }}, {{ $attributes(versions) }},
    versions.is_inferred, versions.is_deleted, versions.valid_from, versions.valid_to,
    versions.is_current, versions.row_hash, :batch_id
from tmp_{{ $entity }}_versions as versions
where not exists (
    select 1 from dw.{{ $dimension }} as current_rows where current_rows.{{ $sk }} = versions.{{ $sk }}
);

-- 7. Early-arriving facts: a {{ $entity }} that {{ $referenced_by }} reference but no batch sent gets an
-- inferred version covering all time; its real rows replace it (same surrogate key).
insert into dw.{{ $dimension }} (
    {{ $sk }}, {{ $key }}, {{ $attributes() }},
    is_inferred, is_deleted, valid_from, valid_to, is_current, row_hash, batch_id
)
select
    {{ surrogate_key(referenced.{{ $key }}, {{ low_sentinel }}) }} as {{ $sk }},
    referenced.{{ $key }},
    {{ $attribute_nulls }},
    true, false,
    {{ low_sentinel }}, {{ high_sentinel }}, true,
    {{ $inferred_row_hash }},
    :batch_id
from (select distinct staged.{{ $key }} from staging.{{ $referenced_by }} as staged) as referenced
where not exists (
    select 1 from dw.{{ $dimension }} as known where known.{{ $key }} = referenced.{{ $key }}
);

-- 8. Audit warning: one key, one updated_at, several different rows.
delete from audit.warnings where batch_id = :batch_id and model = '{{ $dimension }}';

insert into audit.warnings (batch_id, run_id, kind, model, natural_key, detail, recorded_at)
select
    :batch_id, :run_id, 'conflicting_rows', '{{ $dimension }}', conflicts.{{ $key }},
    'updated_at ' || cast(conflicts.updated_at as varchar) || ': ' || cast(conflicts.variants as varchar)
        || ' different rows; kept the greatest row_hash',
    {{ now }}
from (
    select changes.{{ $key }}, changes.updated_at, count(distinct changes.row_hash) as variants
    from history.{{ $entity }}_changes as changes
    inner join tmp_{{ $entity }}_keys as touched on touched.{{ $key }} = changes.{{ $key }}
    group by changes.{{ $key }}, changes.updated_at
    having count(distinct changes.row_hash) > 1
) as conflicts;
