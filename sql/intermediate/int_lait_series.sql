-- description: LAIT values with one refresh per indicator: each LAIT refresh is a complete snapshot of the tool, so an indicator's series comes whole from the latest refresh that carries it. Years an older refresh had but the latest one dropped stay in staging.stg_lait only: LAIT withdraws years when a publisher re-bases a series (the 2026-04-08 refresh keeps DWP's child poverty share from FYE 2022 only, after DWP revised the back series), and mixing bases would make false trends.
-- LAIT feeds the panel only the indicators it exposes (reference/indicators/lait.csv); all are in mart.lait_long.
-- feeds: intermediate.int_indicator_values where indicator IN (SELECT indicator FROM ref.indicators)
CREATE OR REPLACE TABLE intermediate.int_lait_series AS
SELECT * FROM series_from_latest_release('staging.stg_lait');
