-- Checkpoints that reached the witness quorum (issue 17), so a restarted server serves the last
-- one at once and `sunshine export` / `sunshine site build` publish it with its cosignatures.
-- `note` is the operator-signed checkpoint followed by every valid cosignature collected so far;
-- `policy` is the witness policy it reached the quorum under (`quorum K`, then one
-- `cosignature/v1` verifier key per line), which the export publishes as `log/witnesses`.
-- A row only ever gains cosignatures: it is never deleted, its size never changes and its note
-- only grows by signature lines appended after the ones it has.
CREATE TABLE cosigned_checkpoints (
    size   BIGINT PRIMARY KEY,
    note   TEXT   NOT NULL,
    policy TEXT   NOT NULL
);
CREATE TRIGGER cosigned_checkpoints_no_delete BEFORE DELETE ON cosigned_checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER cosigned_checkpoints_no_truncate BEFORE TRUNCATE ON cosigned_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
CREATE FUNCTION cosigned_only_gain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.size <> OLD.size OR left(NEW.note, length(OLD.note)) <> OLD.note THEN
        RAISE EXCEPTION 'a cosigned checkpoint only gains cosignatures';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER cosigned_checkpoints_only_gain BEFORE UPDATE ON cosigned_checkpoints
    FOR EACH ROW EXECUTE FUNCTION cosigned_only_gain();
