"""GET /api/jobs and /api/jobs/{id}: the newer job listing, built from queue and history
in the shapes the v0.8.0 recording shows."""


def _outputs_summary(outputs):
    count, preview = 0, None
    for node_id, node_output in outputs.items():
        for media_type, items in node_output.items():
            if not isinstance(items, list):
                continue
            count += len(items)
            if preview is None and items and isinstance(items[0], dict) and "filename" in items[0]:
                preview = {**items[0], "nodeId": node_id, "mediaType": media_type}
    return count, preview


def _from_queue_item(item, status):
    return {"id": item[1], "status": status, "priority": item[0], "create_time": item[3].get("create_time"),
            "outputs_count": 0}, item


def _from_history(prompt_id, entry):
    item = entry["prompt"]
    messages = entry["status"]["messages"] if entry.get("status") else []
    count, preview = _outputs_summary(entry.get("outputs", {}))
    job = {"id": prompt_id, "status": "completed" if entry.get("status", {}).get("status_str") == "success" else "failed",
           "priority": item[0], "create_time": item[3].get("create_time")}
    if messages:
        job["execution_start_time"] = messages[0][1].get("timestamp")
        job["execution_end_time"] = messages[-1][1].get("timestamp")
    job["outputs_count"] = count
    if preview:
        job["preview_output"] = preview
    return job, item


def _all_jobs(queue):
    running, pending = queue.running_and_pending()
    jobs = [_from_queue_item(i, "in_progress") for i in running] + [_from_queue_item(i, "pending") for i in pending]
    jobs += [_from_history(pid, entry) for pid, entry in queue.get_history().items()]
    jobs.sort(key=lambda pair: pair[0]["create_time"] or 0, reverse=True)
    return jobs


def list_jobs(queue, query):
    jobs = [job for job, _ in _all_jobs(queue)]
    wanted = query.get("status")
    if wanted:
        allowed = set(wanted.split(","))
        jobs = [j for j in jobs if j["status"] in allowed]
    offset = int(query.get("offset", 0))
    limit = int(query["limit"]) if query.get("limit") else None
    page = jobs[offset:offset + limit] if limit is not None else jobs[offset:]
    return {"jobs": page, "pagination": {"offset": offset, "limit": limit, "total": len(jobs),
                                         "has_more": offset + len(page) < len(jobs)}}


def get_job(queue, prompt_id):
    """The job with outputs, execution status and workflow, or None."""
    for job, item in _all_jobs(queue):
        if job["id"] == prompt_id:
            entry = queue.get_history(prompt_id).get(prompt_id, {})
            return {**job, "outputs": entry.get("outputs", {}), "execution_status": entry.get("status"),
                    "workflow": {"prompt": item[2], "extra_data": item[3]}}
    return None
