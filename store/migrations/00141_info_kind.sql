-- +goose Up
-- The info flow's requests (legal aid, consulates, UNHCR/IOM, módulos,
-- CURP, cards) are now a kind of their own, 'info' (flows.KindInfo): the
-- rollups' trigger, generated from flows.RequestKinds, writes it from the
-- next Open on. request_days needs nothing: the report counts every info
-- row, whatever topic it kept. person_kind_weeks rows already written for
-- them say 'other'; this adds their 'info' row for every week the request
-- log still holds. The 'other' rows stay (those people used the menu too).
INSERT OR IGNORE INTO person_kind_weeks (week, kind, person, lang, campaign, modulo)
SELECT ((at / 1000 - 21600) / 86400 + 3) / 7, 'info', person, lang, campaign, modulo
FROM requests WHERE flow = 'info';

-- +goose Down
DELETE FROM person_kind_weeks WHERE kind = 'info';
