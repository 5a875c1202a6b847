-- ferry:up
-- migrate: the rows move in finish
-- rollback is not possible
-- changeset: none
-- atlas: see the map
SELECT 1; -- +goose Down
