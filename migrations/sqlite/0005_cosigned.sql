-- Checkpoints that reached the witness quorum (issue 17), so a restarted server serves the last
-- one at once and `sunshine export` / `sunshine site build` publish it with its cosignatures.
-- `note` is the operator-signed checkpoint followed by every valid cosignature collected so far;
-- `policy` is the witness policy it reached the quorum under (`quorum K`, then one
-- `cosignature/v1` verifier key per line), which the export publishes as `log/witnesses`.
-- A row only ever gains cosignatures: it is never deleted, its size never changes and its note
-- only grows by signature lines appended after the ones it has.
CREATE TABLE cosigned_checkpoints (
    size   INTEGER PRIMARY KEY,
    note   TEXT    NOT NULL,
    policy TEXT    NOT NULL
);
CREATE TRIGGER cosigned_checkpoints_no_delete BEFORE DELETE ON cosigned_checkpoints
BEGIN SELECT RAISE(ABORT, 'cosigned checkpoints are append-only'); END;
CREATE TRIGGER cosigned_checkpoints_only_gain BEFORE UPDATE ON cosigned_checkpoints
WHEN NEW.size <> OLD.size OR substr(NEW.note, 1, length(OLD.note)) <> OLD.note
BEGIN SELECT RAISE(ABORT, 'a cosigned checkpoint only gains cosignatures'); END;
