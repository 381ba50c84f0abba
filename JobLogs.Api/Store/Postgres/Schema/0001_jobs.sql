-- Job records: the whole record as jsonb (the same JSON as a files-mode record file), with the columns listing,
-- search, claims and the revision check read. Attempts and the lease live in the record; the lease token's hash is
-- a column so a claim and a heartbeat find their job by it.
CREATE TABLE jobs (
    project_id   text        NOT NULL,
    job_id       text        NOT NULL,
    revision     bigint      NOT NULL,
    status       text        NOT NULL,
    type         text        NOT NULL,
    spec_id      text,
    created_at   timestamptz NOT NULL,
    queued_at    timestamptz,
    finished_at  timestamptz,
    record       jsonb       NOT NULL,
    PRIMARY KEY (project_id, job_id)
);
-- Newest first within a project, and across projects (job ids sort by creation time).
CREATE INDEX jobs_project_newest ON jobs (project_id, created_at DESC, job_id DESC);
CREATE INDEX jobs_newest ON jobs (created_at DESC, job_id DESC);
-- The queue: the job that waited longest of the types asked.
CREATE INDEX jobs_queued ON jobs (type, queued_at, job_id) WHERE status = 'queued';
CREATE INDEX jobs_running ON jobs (status) WHERE status = 'running';
