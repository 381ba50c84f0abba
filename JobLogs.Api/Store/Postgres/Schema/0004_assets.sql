-- A project's files, its jobs' assets among them, by their path under the project's files folder as in files mode
-- ('workflows/txt2img.json', 'assets/<jobId>/out.png'): both stores, the import and an export read one layout. Paths
-- compare byte by byte ("C"), so the files under a folder are one range of the key.
CREATE TABLE project_files (
    project_id  text        NOT NULL,
    path        text        COLLATE "C" NOT NULL,
    job_id      text,                   -- the job whose asset it is (its path is 'assets/<jobId>/…'); else null
    content_id  bigint      NOT NULL,   -- its bytes in file_chunks
    chunk_size  integer     NOT NULL,   -- of all its chunks but the last: a later version may write another size
    size        bigint      NOT NULL,
    sha256      bytea       NOT NULL,
    written_at  timestamptz NOT NULL,
    PRIMARY KEY (project_id, path)
);
CREATE INDEX project_files_job ON project_files (project_id, job_id) WHERE job_id IS NOT NULL;

-- The bytes, in chunks (256 KiB, the last one shorter), under a content id of their own: an upload writes its chunks
-- before any row names them, and a reader holding a content id reads that content alone, never a mix of two.
CREATE SEQUENCE file_content_ids;
CREATE TABLE file_chunks (
    content_id  bigint  NOT NULL,
    n           integer NOT NULL,
    bytes       bytea   NOT NULL,
    PRIMARY KEY (content_id, n)
);
-- Images and videos are compressed already: kept out of line as they are, not compressed again.
ALTER TABLE file_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
