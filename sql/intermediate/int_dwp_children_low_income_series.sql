-- description: DWP children in low income families with one release per indicator: every Stat-Xplore table republishes the whole series on the geography and method of its release (the 2025 table shows Cumberland and Westmorland and Furness back to FYE 2015 and DWP's revised back series, where the 2022 and 2023 tables show Cumbria), so a series comes whole from the latest release. Mixing releases would count Cumbria twice and splice two methods.
-- feeds: intermediate.int_indicator_values
CREATE OR REPLACE TABLE intermediate.int_dwp_children_low_income_series AS
SELECT * FROM series_from_latest_release('staging.stg_dwp_children_low_income');
