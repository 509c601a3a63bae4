-- Every unit a figure may be stated in, with its canonical unit and factor: the seed's base units and
-- each of them behind a magnitude prefix (亿千瓦 = 10⁸ × 千瓦 = 100 000 MW). The extractor applies the same
-- two seeds to targets; official figures are converted here, so both sides meet in one unit.
with conversions as (
    select * from {{ ref('unit_conversions') }}
),

prefixes as (
    select * from {{ ref('unit_prefixes') }}
),

stated as (
    select
        base_unit as stated_unit,
        canonical_unit,
        factor,
        dimension,
        size_independent
    from conversions

    union all

    select
        p.prefix || c.base_unit as stated_unit,
        c.canonical_unit,
        p.multiplier * c.factor as factor,
        c.dimension,
        c.size_independent
    from prefixes as p
    cross join conversions as c
)

select * from stated
