-- Job records (PostgresJobStore). The whole record is kept as the JSON text a files-mode record file holds, in a json
-- column rather than jsonb: jsonb would reorder an input's keys and rewrite its numbers (1e2 as 100) and refuses
-- \u0000, so the Api would serve a job differently in cluster mode. Nothing reads inside the record in SQL: listing,
-- search, claims and the revision check read the columns beside it, set from the record on every write. Ids are
-- ordered by "C" collation, as files mode orders them (ordinal). Times in the columns are PostgreSQL's microseconds;
-- the record keeps .NET's 100 ns ticks.
CREATE TABLE jobs (
    project_id   text COLLATE "C" NOT NULL,
    job_id       text COLLATE "C" NOT NULL,
    revision     bigint           NOT NULL,
    status       text             NOT NULL,
    type         text             NOT NULL,
    spec_id      text COLLATE "C",
    asset_id     text COLLATE "C",
    created_at   timestamptz      NOT NULL,
    -- When the job last entered the queue: created, or asked to retry (JobRecord.QueuedAt).
    queued_at    timestamptz      NOT NULL,
    finished_at  timestamptz,
    record       json             NOT NULL,
    PRIMARY KEY (project_id, job_id)
);

-- Listing, newest first: a project's page, a project's jobs of some statuses, every project's.
CREATE INDEX jobs_project_newest ON jobs (project_id, created_at DESC, job_id DESC);
CREATE INDEX jobs_project_status ON jobs (project_id, status, created_at DESC, job_id DESC);
CREATE INDEX jobs_newest ON jobs (created_at DESC, job_id DESC, project_id DESC);
CREATE INDEX jobs_asset ON jobs (project_id, asset_id) WHERE asset_id IS NOT NULL;
-- The queue, in claim order (across projects), and the running jobs.
CREATE INDEX jobs_queued ON jobs (queued_at, project_id, job_id) WHERE status = 'queued';
CREATE INDEX jobs_running ON jobs (project_id, job_id) WHERE status = 'running';

-- The projects that have jobs, and how many: a page's total without counting the project's rows. Written in the
-- transaction that adds a job; records are never deleted (retention removes logs and assets, not records).
CREATE TABLE job_projects (
    project_id  text COLLATE "C" PRIMARY KEY,
    jobs        bigint           NOT NULL
);
