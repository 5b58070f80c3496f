-- The orders whose order, lines, payments or shipments changed since the
-- incremental model calling it was last built (its batch_id high-water mark),
-- and the orders of its rows that still point at an unknown member (their
-- customer or product may have arrived since: early-arriving facts).
{% macro touched_orders(unknown_member_keys) %}
    {%- set high_water_mark = "(select coalesce(max(batch_id), '') from " ~ this ~ ")" -%}
    {%- for model in ['orders_current', 'order_items_current', 'payments_current', 'shipments_current'] %}
    select {{ model }}.order_id
    from {{ ref(model) }} as {{ model }}
    where {{ model }}.batch_id > {{ high_water_mark }}
    union
    {%- endfor %}
    select pointing_at_unknown.order_id
    from {{ this }} as pointing_at_unknown
    where {% for key in unknown_member_keys %}pointing_at_unknown.{{ key }} = '-1'{% if not loop.last %} or {% endif %}{% endfor %}
{% endmacro %}

-- The latest batch any of the current-state models has loaded: the facts' batch_id.
{% macro loaded_through() %}
    select max(loaded.batch_id) as batch_id
    from (
        {%- for model in ['orders_current', 'order_items_current', 'payments_current', 'shipments_current'] %}
        select max(batch_id) as batch_id from {{ ref(model) }}
        {% if not loop.last %}union all{% endif %}
        {%- endfor %}
    ) as loaded
{% endmacro %}
