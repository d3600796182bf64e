-- Macros shared by the staging models: how a published cell becomes a value, a symbol and a status.
-- A cell is either a number (thousands separators allowed) or a symbol from ref.symbol_status.
CREATE OR REPLACE MACRO published_number(cell) AS
    TRY_CAST(replace(trim(cell), ',', '') AS DOUBLE);

CREATE OR REPLACE MACRO published_symbol(cell) AS
    CASE WHEN published_number(cell) IS NULL THEN nullif(trim(cell), '') END;

-- status: published | suppressed | not_applicable | missing (see schemas/_symbols.yaml)
CREATE OR REPLACE MACRO published_status(cell, symbol_status) AS
    CASE
        WHEN published_number(cell) IS NOT NULL THEN 'published'
        WHEN nullif(trim(cell), '') IS NULL THEN 'missing'
        ELSE coalesce(symbol_status, 'missing')
    END;

-- A date cell as the spreadsheet reader renders it ('2019-04-01T00:00:00') -> DATE.
CREATE OR REPLACE MACRO published_date(cell) AS
    TRY_CAST(left(trim(cell), 10) AS DATE);

-- A total of several published cells (e.g. the working-day bands of a duration table): a number
-- when every cell is one, else the symbol or blank that stops it (a band suppressed with 'c' makes
-- the total 'c'). Returned as text, like a published cell, so the macros above apply to it.
CREATE OR REPLACE MACRO published_total(cells) AS
    CASE
        WHEN list_bool_and(list_transform(cells, lambda c: published_number(c) IS NOT NULL))
            THEN CAST(list_sum(list_transform(cells, lambda c: published_number(c))) AS VARCHAR)
        ELSE list_filter(cells, lambda c: published_number(c) IS NULL)[1]
    END;

-- numerator / denominator x 100 of two published cells, as text; the symbol that stops it, or
-- NULL (missing) when the denominator is 0.
CREATE OR REPLACE MACRO published_percent(numerator, denominator) AS
    CASE
        WHEN published_number(numerator) IS NULL THEN numerator
        WHEN published_number(denominator) IS NULL THEN denominator
        WHEN published_number(denominator) > 0
            THEN CAST(published_number(numerator) / published_number(denominator) * 100 AS VARCHAR)
    END;

-- The published-value projection a staging model feeding the indicator panel ends with: from a
-- relation of published cells (geography, year, period, indicator, unit, lineage and `cell`, the
-- text as published) to the panel's columns, in order, the cell read as value / symbol / status.
CREATE OR REPLACE MACRO published_values(cells) AS TABLE
    SELECT
        c.geographic_level, c.area_code, c.la_code_3, c.area_name, c.country_code, c.year,
        c.published_period, c.indicator,
        published_number(c.cell) AS value,
        published_symbol(c.cell) AS symbol,
        published_status(c.cell, s.status) AS status,
        c.unit, c.source_entry, c.release, c.source_file, c.source_row
    FROM query_table(cells) AS c
    LEFT JOIN ref.symbol_status AS s ON s.symbol = trim(c.cell);
