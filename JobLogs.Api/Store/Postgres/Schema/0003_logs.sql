-- The logs (DESIGN.md, Cluster mode store): job logs, the services' runtime logs and project events, each a head and
-- its lines. Every line is stored with its byte offset in the log's JSONL, so offsets, windows and the bytes of an
-- export are those of files mode: a line's offset is the sum of the lengths of the lines before it.
CREATE TABLE log_heads (
    log_id      bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    log_kind    text        NOT NULL CHECK (log_kind IN ('job', 'runtime', 'events')),
    owner       text        NOT NULL,                -- the project (job logs, events) or the service (runtime logs)
    job_id      text        NOT NULL DEFAULT '',     -- '' but for a job log
    size        bigint      NOT NULL DEFAULT 0,      -- of the current generation: where its next line goes
    generation  integer     NOT NULL DEFAULT 0,      -- a runtime log trimmed starts a new one; older ones are kept aside
    capped      boolean     NOT NULL DEFAULT false,  -- a job log's cap refused a line: later ones are dropped
    written_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (log_kind, owner, job_id)
);

-- No foreign key to the head: each line would pay a trigger for it, and lines are only written by log_append.
CREATE TABLE log_lines (
    log_id      bigint  NOT NULL,
    generation  integer NOT NULL,
    byte_offset bigint  NOT NULL,
    bytes       bytea   NOT NULL,
    PRIMARY KEY (log_id, generation, byte_offset)
);

-- Appends lines to a log in order, in the caller's transaction: the head is locked (made first if absent), the lines
-- take the offsets from its size on, and its size grows by theirs. With a cap (job logs), lines are appended while the
-- log stays within it; the first line refused caps the log (capped_now) and every later one is dropped. Without one
-- (markers, runtime logs, events) every line is appended. A notice, when given, is sent on joblogs_log_appends at
-- commit, so other replicas wake the streams that follow the log.
CREATE FUNCTION log_append(in_kind text, in_owner text, in_job_id text, in_lines bytea[], in_cap bigint, in_notice text,
    OUT first_offset bigint, OUT appended integer, OUT capped_now boolean)
LANGUAGE plpgsql AS $$
DECLARE
    head log_heads;
    taken bigint := 0;
BEGIN
    LOOP
        SELECT * INTO head FROM log_heads h WHERE h.log_kind = in_kind AND h.owner = in_owner AND h.job_id = in_job_id FOR UPDATE;
        EXIT WHEN FOUND;
        INSERT INTO log_heads (log_kind, owner, job_id) VALUES (in_kind, in_owner, in_job_id) ON CONFLICT DO NOTHING;
    END LOOP;

    first_offset := head.size;
    appended := 0;
    IF in_cap IS NULL THEN
        SELECT count(*), coalesce(sum(octet_length(l)), 0) INTO appended, taken FROM unnest(in_lines) l;
    ELSIF NOT head.capped THEN
        SELECT count(*), coalesce(max(s.upto), 0) INTO appended, taken
        FROM (SELECT sum(octet_length(l.bytes)) OVER (ORDER BY l.n) AS upto FROM unnest(in_lines) WITH ORDINALITY AS l(bytes, n)) s
        WHERE head.size + s.upto <= in_cap;
    END IF;
    capped_now := in_cap IS NOT NULL AND NOT head.capped AND appended < coalesce(cardinality(in_lines), 0);

    IF appended > 0 THEN
        INSERT INTO log_lines (log_id, generation, byte_offset, bytes)
        SELECT head.log_id, head.generation, head.size + sum(octet_length(l.bytes)) OVER (ORDER BY l.n) - octet_length(l.bytes), l.bytes
        FROM unnest(in_lines) WITH ORDINALITY AS l(bytes, n)
        WHERE l.n <= appended;
    END IF;
    IF appended > 0 OR capped_now THEN
        UPDATE log_heads SET size = size + taken, capped = capped OR capped_now,
            written_at = CASE WHEN appended > 0 THEN now() ELSE written_at END
        WHERE log_id = head.log_id;
    END IF;
    IF appended > 0 AND in_notice IS NOT NULL THEN
        PERFORM pg_notify('joblogs_log_appends', in_notice);
    END IF;
END
$$;
