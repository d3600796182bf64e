-- An EES tidy table (or a query shaped like one) in long form: one row per published cell of every
-- column that is not geography, time or lineage, named by `value_column` (the contract's canonical
-- column). NULL cells are dropped: in a conformed table they are columns a release did not publish.
CREATE OR REPLACE MACRO ees_cells(tbl) AS TABLE
    UNPIVOT (FROM query_table(tbl))
    ON COLUMNS(* EXCLUDE (
        time_period, time_identifier, geographic_level, country_code, country_name, region_code,
        region_name, old_la_code, new_la_code, la_name,
        source_file, source_row, source_entry, release, period, source_sha256
    ))
    INTO NAME value_column VALUE cell;
