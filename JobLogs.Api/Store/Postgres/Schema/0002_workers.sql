-- The workers heard from (PostgresWorkerStore): every claim poll and heartbeat upserts its row. At most
-- IWorkerStore.MaxWorkers rows, so no index beyond the key: a scan of the table is the cheapest read, and updates
-- stay HOT.
CREATE TABLE workers (
    worker_id          text COLLATE "C" PRIMARY KEY,
    last_poll_at       timestamptz,
    last_heartbeat_at  timestamptz,
    last_seen_at       timestamptz GENERATED ALWAYS AS (greatest(last_poll_at, last_heartbeat_at)) STORED
);
