-- Custom schemas are used as they are (staging, marts, snapshots, seeds), not
-- prefixed with the target's schema: there is one warehouse file per run.
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name is not none else target.schema }}
{%- endmacro %}
