-- Exports cover the years 1 to 9999 (UTC): a response outside them (infinity, -infinity, BC, year
-- 10000 and later) could never be exported, so it is refused when written. (V3 and V4 belong to
-- other features; Flyway applies them in version order.)
ALTER TABLE responses ADD CONSTRAINT submitted_at_in_years_1_to_9999
    CHECK (submitted_at >= '0001-01-01 00:00:00+00' AND submitted_at < '10000-01-01 00:00:00+00');
