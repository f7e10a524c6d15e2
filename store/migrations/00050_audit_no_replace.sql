-- +goose Up
-- The audit log refuses UPDATE and DELETE (00020). INSERT OR REPLACE with
-- an existing id would still overwrite a row: SQLite's REPLACE removes the
-- old row without firing DELETE triggers (recursive_triggers is off). This
-- refuses an insert whose id is already taken, so a row once written
-- stays as it was.
-- +goose StatementBegin
CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_no_replace;
