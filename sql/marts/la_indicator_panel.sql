-- description: The analyst panel: one row per geography, LA, year and indicator, with the LA's name, region, type and nation, the value, its status and how it was harmonised. geography = 'as_published' holds each LA-year's count as the latest release published it and each rate as published (or computed over the population) at the time; geography = 'current' puts every year on today's boundaries.
CREATE OR REPLACE TABLE mart.la_indicator_panel AS
WITH as_published AS (
    SELECT * FROM intermediate.int_la_values_as_published
),
as_published_applicable AS (
    -- A symbol for an authority that did not operate that year (e.g. 'x' for Northamptonshire's
    -- population in 2024) means "not applicable"; a number is kept whatever the year (a publisher
    -- may restate a successor's earlier years).
    -- Combined reporting units (no authority_id) are kept as published.
    SELECT a.*
    FROM as_published AS a
    LEFT JOIN intermediate.int_authority_operation AS o USING (authority_id)
    WHERE a.authority_id IS NULL OR a.value IS NOT NULL
       OR make_date(a.year, 3, 31) BETWEEN o.operating_from AND o.operating_to
),
both_geographies AS (
    SELECT 'as_published' AS geography, area_code AS la_code, la_code_3, authority_id, year, published_period,
           indicator, value, status, symbol, unit, method, rate_basis, population_year, population_vintage,
           source_entry, release, 'direct' AS harmonisation
    FROM as_published_applicable
    UNION ALL BY NAME
    SELECT 'current' AS geography, la_code, NULL AS la_code_3, authority_id, year, published_period,
           indicator, value, status, symbol, unit, method, rate_basis, population_year, population_vintage,
           source_entry, release, harmonisation
    FROM intermediate.int_la_values_current
    WHERE variant = 'panel'
),
code_rows AS (
    -- The reference row of each code (a code has one name, region and type).
    SELECT * FROM ref.local_authorities
    QUALIFY row_number() OVER (PARTITION BY la_code ORDER BY valid_from DESC NULLS LAST) = 1
),
combined_rows AS (
    -- Combined reporting units (e.g. the workforce of Kingston upon Thames / Richmond upon Thames)
    -- are geographies of their own: no authority_id, la_type 'combined_unit', the members' region.
    SELECT
        c.unit_code AS la_code,
        any_value(c.unit_code_3) AS la_code_3,
        any_value(c.unit_name) AS la_name,
        CASE WHEN count(DISTINCT r.region_name) = 1 THEN any_value(r.region_name) END AS region_name,
        CASE WHEN count(DISTINCT coalesce(r.london_subregion, '')) = 1 THEN any_value(r.london_subregion) END AS london_subregion,
        'combined_unit' AS la_type,
        any_value(r.nation) AS nation
    FROM ref.combined_units AS c
    JOIN code_rows AS r ON r.la_code = c.member_code
    GROUP BY c.unit_code
),
geographies AS (
    SELECT la_code, la_code_3, la_name, region_name, london_subregion, la_type, nation FROM code_rows
    UNION ALL
    SELECT la_code, la_code_3, la_name, region_name, london_subregion, la_type, nation FROM combined_rows
)
SELECT
    v.geography,
    v.la_code,
    coalesce(v.la_code_3, r.la_code_3) AS la_code_3,
    r.la_name,
    r.region_name AS region,
    r.london_subregion,
    r.la_type,
    r.nation,
    v.authority_id,
    v.year,
    v.published_period,
    v.indicator,
    v.value,
    v.status,
    v.symbol,
    v.unit,
    v.method,
    v.rate_basis,
    v.population_year,
    v.population_vintage,
    v.harmonisation,
    v.source_entry,
    v.release,
    -- A warehouse is built in one mode: demo data are synthetic throughout.
    coalesce((SELECT bool_or(synthetic) FROM meta.provenance), false) AS is_synthetic
FROM both_geographies AS v
JOIN geographies AS r ON r.la_code = v.la_code
ORDER BY geography, nation, region, la_name, indicator, year;

COMMENT ON TABLE mart.la_indicator_panel IS 'LA x year x indicator panel on two geographies: as_published (codes and boundaries as the latest release published them; rates as at the time, see rate_basis) and current (today''s authorities, back-cast).';
COMMENT ON COLUMN mart.la_indicator_panel.geography IS 'as_published: each count as its latest release published it and each rate as at the time (see rate_basis), on the boundaries of that time; current: on today''s boundaries.';
COMMENT ON COLUMN mart.la_indicator_panel.harmonisation IS 'direct, recoded, merged, apportioned or not_harmonisable (current geography; not_harmonisable exactly where status is not_harmonisable); direct for as_published.';
COMMENT ON COLUMN mart.la_indicator_panel.la_code IS 'GSS code as published; a combined reporting unit has its members'' codes joined by '' / '' (authority_id NULL, la_type combined_unit, as_published geography only).';
COMMENT ON COLUMN mart.la_indicator_panel.year IS 'Year ending 31 March (2024 = April 2023 to March 2024, or at 31 March 2024).';
COMMENT ON COLUMN mart.la_indicator_panel.published_period IS 'The period as the publisher labelled it (e.g. "Reporting year 2024", "mid-2023").';
COMMENT ON COLUMN mart.la_indicator_panel.indicator IS 'Indicator id (cla_count, cla_rate_per_10k, population_0_17, ...): definitions, units and years in mart.indicator_dictionary and `csc indicators`.';
COMMENT ON COLUMN mart.la_indicator_panel.value IS 'The value; NULL exactly when status is not published (suppressed, missing or not_harmonisable). Counts: the latest release''s. Rates and percentages: the value at the time (see rate_basis); the rate over the latest population vintage is in mart.la_rate_variants. Precision: as published; a rate or percentage recomputed on the current geography (method recomputed_from_harmonised_counts) is rounded to the decimals the publisher printed that indicator with that year in that nation, and is unrounded only where the publisher printed none that year (its as-published rates are computed from counts, unrounded, too).';
COMMENT ON COLUMN mart.la_indicator_panel.rate_basis IS 'Rates and percentages only (NULL otherwise): published_at_the_time (the publisher''s number from the earliest release that printed one for the year, over the populations current then); computed_population_at_the_time (count / the earliest ingested 0-17 population vintage for the year; on the current geography harmonised count / harmonised at-the-time population); computed_from_latest_counts (a percentage recomputed from harmonised counts, current geography); NULL also for a not_harmonisable row.';
COMMENT ON COLUMN mart.la_indicator_panel.population_year IS 'For a rate computed over the 0-17 population: the year whose population was used (equal to year, except a Welsh year with no population of its own, method computed_with_nearest_year_population); NULL otherwise.';
COMMENT ON COLUMN mart.la_indicator_panel.population_vintage IS 'For a rate computed over the 0-17 population: the catalog entry (source and release, see meta.provenance) of the population used (several, comma-separated, when harmonised from several authorities); NULL for published rates (the publisher''s own population of the time) and non-rates.';
COMMENT ON COLUMN mart.la_indicator_panel.status IS 'published (a number), suppressed (the publisher withheld the number: symbol says how, never NULL; a rate computed from a suppressed count carries the count''s symbol), missing (no number and no suppression: a blank, a not-available symbol such as .. or :, or no population to compute a rate over), or not_harmonisable (current geography only: the authority-year needed harmonising and its value cannot be formed from its predecessors; method says why).';
COMMENT ON COLUMN mart.la_indicator_panel.symbol IS 'The publisher''s symbol when no number was published (c, x, k, *, .., :): always set when status is suppressed; NULL for published and not_harmonisable rows.';
COMMENT ON COLUMN mart.la_indicator_panel.method IS 'published; estimated_age_17_from_age_16_a_year_earlier (a 0-17 population from the Nomis age-band exports, which stop at 16; see staging.stg_ons_nomis_population_0_17); estimated_age_17_summed_from_back_cast_successors (Northamptonshire''s: North + West Northamptonshire back-cast); aggregated_from_districts_by_children_under_16 (a shire county''s HMRC low-income percentage from its districts, see intermediate.int_hmrc_children_low_income_counties); computed_from_count_and_population (rates the publisher did not give); computed_with_nearest_year_population (a Welsh rate whose year has no population: the nearest year''s, see intermediate.int_la_rates_computed.population_year); harmonised_sum or recomputed_from_harmonised_counts (current geography). A row without a value never names a computation: not_computed_count_suppressed, not_computed_count_missing or not_computed_no_population (a rate the count or population to compute it is missing for); not_aggregated_district_missing (a county''s HMRC percentage lacking a district); on the current geography not_harmonisable_predecessor_suppressed (a predecessor''s value, or the count a rate is rebuilt from, was suppressed), not_harmonisable_predecessor_missing (such a value or its apportionment weight is missing), not_harmonisable_no_denominator (no harmonised denominator above zero to recompute a rate over) or not_harmonisable_not_additive (an indicator with no numerator and denominator to rebuild it from: a score, rank or published-only percentage); a suppressed or missing cell as the publisher printed it keeps method published.';
COMMENT ON COLUMN mart.la_indicator_panel.source_entry IS 'Catalog entry of the file the value came from; join meta.provenance for URL, sha256 and fetch time.';
COMMENT ON COLUMN mart.la_indicator_panel.is_synthetic IS 'TRUE for the generated demo data set: not official statistics.';
COMMENT ON COLUMN mart.la_indicator_panel.la_code_3 IS 'DfE 3-digit LA code (old_la_code): as published where the file gives one, otherwise the reference''s code for la_code.';
COMMENT ON COLUMN mart.la_indicator_panel.la_name IS 'Name of the authority (or combined reporting unit) of la_code, from the LA reference.';
COMMENT ON COLUMN mart.la_indicator_panel.region IS 'English region of the authority (Inner and Outer London are one region, London; see london_subregion); Wales for Welsh authorities.';
COMMENT ON COLUMN mart.la_indicator_panel.london_subregion IS 'Inner London or Outer London as the DfE files group London boroughs; NULL outside London.';
COMMENT ON COLUMN mart.la_indicator_panel.la_type IS 'london_borough, metropolitan_district, unitary_authority, shire_county, welsh_unitary_authority, or combined_unit (a combined reporting unit).';
COMMENT ON COLUMN mart.la_indicator_panel.nation IS 'England or Wales.';
COMMENT ON COLUMN mart.la_indicator_panel.authority_id IS 'Stable id of the authority (see mart.la_reference): join on it to follow an authority across code changes; NULL for combined reporting units.';
COMMENT ON COLUMN mart.la_indicator_panel.unit IS 'Unit of the value as the source labels it (e.g. children, per 10,000 children aged 0-17, £, % of Children Looked After); definitions in mart.indicator_dictionary.';
COMMENT ON COLUMN mart.la_indicator_panel.release IS 'Release (vintage) of the file the value came from: a year such as 2025, or a publication date for files without one (e.g. LAIT 2026-04-08).';
