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
