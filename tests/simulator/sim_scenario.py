"""Scenario validation and job rendering for the Whisper API simulator.

whisper_api_sim.py documents the scenario format. This module turns a parsed
scenario document into validated settings and a JobStore, and renders jobs
the way the real API does. That includes the API's known inconsistencies.
List entries name the id `jobId` and use `2025-01-15T10:30:00Z` timestamps,
while a single job names it `id` and uses `2025-01-15T10:30:00.000+00:00`.
"""

import dataclasses
import random
from datetime import datetime, timezone
from numbers import Real

LIST_ORDERS = ("newest_first", "oldest_first", "random")

# Statuses whose generated jobs get a completedAt timestamp.
FINISHED_STATUSES = ("COMPLETED", "FAILED", "CANCELLED")

SCENARIO_KEYS = {
    "description", "api_key", "clock_offset", "list_order", "random_seed",
    "omit_total", "jobs", "generate", "faults",
}
JOB_KEYS = {
    "id", "type", "status", "age", "completed_age", "created_at", "updated_at",
    "completed_at", "error", "progress", "params", "result", "raw_summary", "raw_job",
}
GENERATE_KEYS = {
    "count", "status", "type", "age_min", "age_max", "prefix", "duration",
    "error", "progress",
}
DEFAULT_JOB_TYPE = "screenshot"
DEFAULT_GENERATED_DURATION = 30
DEFAULT_GENERATED_ERROR = {"code": "INTERNAL_ERROR", "message": "Job failed"}

# Marks a timestamp that a job does not have, as distinct from a literal JSON null.
ABSENT = object()


class ScenarioError(ValueError):
    """A scenario, job list or fault list that does not follow the documented format."""


@dataclasses.dataclass
class Scenario:
    """Validated top-level scenario settings. Faults are validated by sim_faults."""

    api_key: str
    clock_offset: float
    list_order: str
    random_seed: int
    omit_total: bool
    jobs: list
    faults: list


def parse_scenario(document):
    """Validate a parsed scenario document and expand its `generate` entries.

    Raises ScenarioError naming the first invalid field.
    """
    if not isinstance(document, dict):
        raise ScenarioError(f"the scenario must be a JSON object, got {type(document).__name__}")
    reject_unknown_keys(document, SCENARIO_KEYS, "scenario")

    api_key = document.get("api_key")
    if not isinstance(api_key, str) or not api_key:
        raise ScenarioError("scenario: 'api_key' is missing or not a non-empty string")

    list_order = document.get("list_order", "newest_first")
    if list_order not in LIST_ORDERS:
        raise ScenarioError(f"scenario: 'list_order' must be one of {', '.join(LIST_ORDERS)}, got {list_order!r}")

    jobs = require_list(document.get("jobs", []), "scenario: 'jobs'")
    generate = require_list(document.get("generate", []), "scenario: 'generate'")
    for index, spec in enumerate(generate):
        jobs = jobs + generate_jobs(spec, f"generate[{index}]")

    return Scenario(
        api_key=api_key,
        clock_offset=validate_clock_offset(document.get("clock_offset", 0)),
        list_order=list_order,
        random_seed=require_int(document.get("random_seed", 1), "scenario: 'random_seed'"),
        omit_total=require_bool(document.get("omit_total", False), "scenario: 'omit_total'"),
        jobs=validate_jobs(jobs),
        faults=require_list(document.get("faults", []), "scenario: 'faults'"),
    )


def validate_clock_offset(value):
    """Return the clock offset in seconds, or raise ScenarioError."""
    return require_number(value, "'clock_offset'")


def validate_jobs(jobs):
    """Return copies of the job objects after checking each field and that ids are unique."""
    jobs = require_list(jobs, "the job list")
    validated = []
    seen_ids = set()
    for index, job in enumerate(jobs):
        job = validate_job(job, f"jobs[{index}]")
        if job["id"] in seen_ids:
            raise ScenarioError(f"jobs[{index}]: duplicate job id {job['id']!r}")
        seen_ids.add(job["id"])
        validated.append(job)
    return validated


def validate_job(job, where):
    """Return a copy of one scenario job with defaults filled in, or raise ScenarioError."""
    if not isinstance(job, dict):
        raise ScenarioError(f"{where}: a job must be a JSON object, got {type(job).__name__}")
    reject_unknown_keys(job, JOB_KEYS, where)
    job = dict(job)

    if not isinstance(job.get("id"), str) or not job["id"]:
        raise ScenarioError(f"{where}: 'id' is missing or not a non-empty string")
    where = f"{where} (id {job['id']!r})"
    if not isinstance(job.get("status"), str):
        raise ScenarioError(f"{where}: 'status' is missing or not a string")
    job.setdefault("type", DEFAULT_JOB_TYPE)
    job.setdefault("age", 0)
    require_non_negative(job["age"], f"{where}: 'age'")
    if "completed_age" in job:
        require_non_negative(job["completed_age"], f"{where}: 'completed_age'")
    for key in ("error", "progress"):
        if key in job and not isinstance(job[key], dict):
            raise ScenarioError(f"{where}: '{key}' must be a JSON object")
    for key in ("created_at", "updated_at", "completed_at"):
        if key in job and job[key] is not None and not isinstance(job[key], str):
            raise ScenarioError(f"{where}: '{key}' must be a string or null")
    return job


def generate_jobs(spec, where):
    """Expand one `generate` entry into jobs with ids `<prefix>-<n>`, n counting from 1.

    Ages are spread evenly over [age_min, age_max], so the same entry always
    yields the same jobs. Jobs in a finished status complete `duration`
    seconds after they were created, or at once when they are younger than that.
    """
    if not isinstance(spec, dict):
        raise ScenarioError(f"{where}: must be a JSON object")
    reject_unknown_keys(spec, GENERATE_KEYS, where)

    count = require_int(spec.get("count"), f"{where}: 'count'")
    if count < 0:
        raise ScenarioError(f"{where}: 'count' must not be negative, got {count}")
    status = spec.get("status")
    if not isinstance(status, str):
        raise ScenarioError(f"{where}: 'status' is missing or not a string")
    types = generated_types(spec.get("type", DEFAULT_JOB_TYPE), where)
    age_min = require_non_negative(spec.get("age_min", 0), f"{where}: 'age_min'")
    age_max = require_non_negative(spec.get("age_max", age_min), f"{where}: 'age_max'")
    if age_max < age_min:
        raise ScenarioError(f"{where}: 'age_max' ({age_max}) is less than 'age_min' ({age_min})")
    prefix = spec.get("prefix", f"gen-{status.lower()}")
    duration = require_non_negative(spec.get("duration", DEFAULT_GENERATED_DURATION), f"{where}: 'duration'")

    jobs = []
    for n in range(1, count + 1):
        fraction = (n - 1) / (count - 1) if count > 1 else 0
        age = round(age_min + (age_max - age_min) * fraction)
        job = {"id": f"{prefix}-{n}", "type": types[(n - 1) % len(types)], "status": status, "age": age}
        if status in FINISHED_STATUSES:
            job["completed_age"] = max(age - duration, 0)
        if status == "FAILED":
            job["error"] = spec.get("error", DEFAULT_GENERATED_ERROR)
        if "progress" in spec:
            job["progress"] = spec["progress"]
        jobs.append(job)
    return jobs


def generated_types(value, where):
    """Return the job types that a `generate` entry cycles through."""
    types = [value] if isinstance(value, str) else value
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise ScenarioError(f"{where}: 'type' must be a string or a non-empty list of strings")
    return types


class JobStore:
    """An immutable set of jobs in the order the list endpoint returns them.

    The simulator replaces the whole store when the jobs change, so handler
    threads can read one without a lock.
    """

    def __init__(self, jobs, list_order, random_seed):
        self._ordered = order_jobs(jobs, list_order, random_seed)
        self._by_id = {job["id"]: job for job in jobs}

    def __len__(self):
        return len(self._ordered)

    def matching(self, status):
        """Return the jobs whose status equals `status` exactly, or all jobs when it is None."""
        if status is None:
            return list(self._ordered)
        return [job for job in self._ordered if job["status"] == status]

    def get(self, job_id):
        return self._by_id.get(job_id)


def order_jobs(jobs, list_order, random_seed):
    """Sort jobs for listing.

    Ages grow at the same rate for every job, so an order computed once stays
    correct. The `random` order is a shuffle with a fixed seed, which keeps it
    the same across the pages of one listing and across listings.
    """
    by_age = sorted(jobs, key=lambda job: (job["age"], job["id"]))
    if list_order == "newest_first":
        return by_age
    if list_order == "oldest_first":
        return by_age[::-1]
    shuffled = sorted(jobs, key=lambda job: job["id"])
    random.Random(random_seed).shuffle(shuffled)
    return shuffled


def format_list_time(timestamp):
    """Format a POSIX time the way list entries do: 2025-01-15T10:30:00Z."""
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_job_time(timestamp):
    """Format a POSIX time the way single jobs and errors do: 2025-01-15T10:30:00.000+00:00."""
    moment = datetime.fromtimestamp(timestamp, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+00:00"


def job_timestamp(job, literal_key, age_key, now, formatter):
    """Return the job's literal timestamp override, else `now - age` formatted, else ABSENT."""
    if literal_key in job:
        return job[literal_key]
    if age_key in job:
        return formatter(now - job[age_key])
    return ABSENT


def render_summary(job, now):
    """Render a job as a list entry (JobSummary), unless the job gives a `raw_summary`."""
    if "raw_summary" in job:
        return job["raw_summary"]

    entry = {
        "jobId": job["id"],
        "type": job["type"],
        "status": job["status"],
        "createdAt": job_timestamp(job, "created_at", "age", now, format_list_time),
    }
    completed_at = job_timestamp(job, "completed_at", "completed_age", now, format_list_time)
    if completed_at is not ABSENT:
        entry["completedAt"] = completed_at
    if "progress" in job:
        entry["progress"] = {key: job["progress"][key] for key in ("current", "total", "message") if key in job["progress"]}
    if "error" in job:
        entry["error"] = {key: job["error"][key] for key in ("code", "message") if key in job["error"]}
    return entry


def render_job(job, now):
    """Render a job as the single-job object (Job), unless the job gives a `raw_job`.

    updatedAt is the completion time when the job has one, else the creation time.
    """
    if "raw_job" in job:
        return job["raw_job"]

    created_at = job_timestamp(job, "created_at", "age", now, format_job_time)
    completed_at = job_timestamp(job, "completed_at", "completed_age", now, format_job_time)
    updated_at = job_timestamp(job, "updated_at", "completed_age", now, format_job_time)
    if updated_at is ABSENT:
        updated_at = created_at

    rendered = {
        "id": job["id"],
        "status": job["status"],
        "type": job["type"],
        "params": job.get("params", {}),
    }
    if "result" in job:
        rendered["result"] = job["result"]
    if "error" in job:
        rendered["error"] = render_job_error(job["error"], updated_at)
    if "progress" in job:
        rendered["progress"] = job["progress"]
    rendered["createdAt"] = created_at
    rendered["updatedAt"] = updated_at
    if completed_at is not ABSENT:
        rendered["completedAt"] = completed_at
    return rendered


def render_job_error(error, updated_at):
    """Render a job's error as JobError, dated by default when the job last changed."""
    return {
        "code": error.get("code"),
        "message": error.get("message"),
        "details": error.get("details", ""),
        "timestamp": error.get("timestamp", updated_at),
    }


def reject_unknown_keys(mapping, allowed, where):
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {', '.join(unknown)}. Allowed keys: {', '.join(sorted(allowed))}")


def require_list(value, where):
    if not isinstance(value, list):
        raise ScenarioError(f"{where} must be a JSON list, got {type(value).__name__}")
    return value


def require_bool(value, where):
    if not isinstance(value, bool):
        raise ScenarioError(f"{where} must be true or false, got {value!r}")
    return value


def require_int(value, where):
    # bool is a subclass of int in Python, but true/false is never a valid count.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(f"{where} must be an integer, got {value!r}")
    return value


def require_number(value, where):
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ScenarioError(f"{where} must be a number, got {value!r}")
    return value


def require_non_negative(value, where):
    require_number(value, where)
    if value < 0:
        raise ScenarioError(f"{where} must not be negative, got {value!r}")
    return value
