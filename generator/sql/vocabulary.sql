-- Known synonyms of canonical vocabulary codes: the pairs of the warehouse's
-- sql/seeds/vocabulary_synonyms.csv (a test keeps the two in step). Codes the
-- warehouse has never seen (boleto, on_hold, vip) are drawn by the table
-- scripts as true values, not rendered here.
create or replace table vocabulary_synonyms as
select * from (
    values
        ('order_status', 'canceled', 'cancelled'),
        ('order_status', 'complete', 'delivered'),
        ('order_status', 'completed', 'delivered'),
        ('order_status', 'refunded', 'returned'),
        ('payment_method', 'card', 'credit_card'),
        ('payment_method', 'creditcard', 'credit_card'),
        ('payment_method', 'cc', 'credit_card'),
        ('payment_method', 'debitcard', 'debit_card'),
        ('payment_method', 'wire', 'bank_transfer'),
        ('payment_method', 'bank', 'bank_transfer'),
        ('payment_method', 'cod', 'cash_on_delivery'),
        ('payment_method', 'giftcard', 'gift_card'),
        ('shipment_status', 'canceled', 'cancelled'),
        ('shipment_status', 'in transit', 'in_transit'),
        ('shipment_status', 'dispatched', 'shipped'),
        ('shipment_status', 'out for delivery', 'out_for_delivery'),
        ('segment', 'smb', 'small_business'),
        ('segment', 'b2c', 'consumer'),
        ('segment', 'b2b', 'corporate')
) as synonyms (domain, code, canonical_code);

set variable synonyms = (
    with
    synonym_lists as (
        select
            vocabulary_synonyms.domain || ':' || vocabulary_synonyms.canonical_code as domain_code,
            list(vocabulary_synonyms.code order by vocabulary_synonyms.code) as synonyms,
        from vocabulary_synonyms
        group by all
    )
    select map(list(domain_code order by domain_code), list(synonyms order by domain_code))
    from synonym_lists
);

-- The synonyms of one canonical code ([] when it has none).
create or replace macro synonyms_of(domain, code) as
    coalesce(getvariable('synonyms')[domain || ':' || code], []::varchar[]);
