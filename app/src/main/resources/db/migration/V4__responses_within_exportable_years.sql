-- Exports cover the years 1 to 9999 (UTC): a response outside them (infinity, -infinity, BC, year
-- 10000 and later) could never be exported, so it is refused when written. NOT VALID: rows written
-- before this check (by an older version's import) do not block the upgrade; find them with
-- SELECT id FROM responses WHERE NOT (submitted_at >= '0001-01-01Z' AND submitted_at < '10000-01-01Z'),
-- fix them, then run ALTER TABLE responses VALIDATE CONSTRAINT submitted_at_in_years_1_to_9999.
ALTER TABLE responses ADD CONSTRAINT submitted_at_in_years_1_to_9999
    CHECK (submitted_at >= '0001-01-01 00:00:00+00' AND submitted_at < '10000-01-01 00:00:00+00') NOT VALID;
